"""How long an engagement's records are kept: the contract in force says, in months after completion."""

from __future__ import annotations

import calendar
from datetime import datetime

from engagements.models import ContractVersion, Engagement


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def retention_ends_at(engagement: Engagement, contract: ContractVersion) -> datetime:
    return add_months(engagement.completed_at, contract.retention_months)
