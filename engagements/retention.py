"""How long an engagement's records are kept: the contract in force says, in months after completion.
When that period has ended, the retention purge (records/retention/) empties the contract versions
through the one database function allowed past their immutability (migration 0008)."""

from __future__ import annotations

import calendar
from datetime import datetime

from django.db import connection

from engagements.models import ContractVersion, Engagement


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def retention_ends_at(engagement: Engagement, contract: ContractVersion) -> datetime:
    return add_months(engagement.completed_at, contract.retention_months)


def purge_contract_records(engagement: Engagement, *, anonymous_coachee) -> int:
    """Delete the engagement's acceptance records, empty its versions' text, frozen names and objectives'
    wording, and make `anonymous_coachee` (an account that cannot sign in) their coachee. The database
    refuses (DatabaseError) while the record-keeping period runs. Returns the versions purged."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT engagements_purge_contract_records(%s, %s)", [engagement.pk, anonymous_coachee.pk])
        return cursor.fetchone()[0]
