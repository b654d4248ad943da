"""Records kept as the contract's record-keeping terms say: after the retention period, private notes go.

The contract in force says how many months records are kept after the engagement completes
(`retention_months`); its record-keeping section says private notes are then deleted. The purge
empties `CoachingSession.private_notes_ciphertext` of every session of such an engagement, and the
private notes of any signed-out log draft still kept for one of them (`LogDraft`), and leaves an audit
row saying what was purged, for which engagement, and when.
"""

from __future__ import annotations

import calendar
import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from coachhub.tenancy import audit
from engagements.models import ContractVersion, Engagement
from sessions.models import CoachingSession, LogDraft

logger = logging.getLogger(__name__)


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def retention_ends_at(engagement: Engagement, contract: ContractVersion) -> datetime:
    return add_months(engagement.completed_at, contract.retention_months)


@transaction.atomic
def purge_expired_records(*, now: datetime | None = None) -> int:
    """Purge the current practice's private notes past their retention period. Returns sessions purged."""
    now = now or timezone.now()
    purged = 0
    completed = Engagement.objects.filter(completed_at__isnull=False, completed_at__lt=now).order_by("pk")
    contracts = {
        version.engagement_id: version
        for version in ContractVersion.objects.filter(
            engagement__in=completed, accepted_at__isnull=False
        ).order_by("engagement_id", "accepted_at")  # the last accepted version wins
    }
    for engagement in completed:
        contract = contracts.get(engagement.pk)
        if contract is None or retention_ends_at(engagement, contract) > now:
            continue
        sessions = CoachingSession.objects.select_for_update().filter(engagement=engagement).exclude(private_notes_ciphertext="")
        session_ids = list(sessions.values_list("pk", flat=True))
        drafts = dict(
            LogDraft.objects.select_for_update().filter(session__engagement=engagement)
            .exclude(private_notes_ciphertext="").values_list("pk", "session_id")
        )
        if not session_ids and not drafts:
            continue
        CoachingSession.objects.filter(pk__in=session_ids).update(private_notes_ciphertext="", updated_at=now)
        LogDraft.objects.filter(pk__in=drafts).update(private_notes_ciphertext="", updated_at=now)
        session_ids = set(session_ids) | set(drafts.values())
        audit.record(
            actor=None, action="records.purged", subject=str(engagement),
            engagement=engagement.pk, purged="private coach notes", sessions=len(session_ids), drafts=len(drafts),
            completed_at=engagement.completed_at.isoformat(), retention_months=contract.retention_months,
            contract_version=contract.number, purged_at=now.isoformat(),
        )
        logger.info("engagement %s: private notes of %d sessions purged (retention ended)", engagement.pk, len(session_ids))
        purged += len(session_ids)
    return purged
