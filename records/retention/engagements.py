"""Records kept as the contract's record-keeping terms say: after the retention period, private notes go;
sign-in records go after 90 days (coachhub.tenancy.audit).

The contract in force says how many months records are kept after the engagement completes
(`retention_months`); its record-keeping section says private notes are then deleted. The purge
empties `CoachingSession.private_notes_ciphertext` of every session of such an engagement, and the
private notes of any signed-out log draft still kept for one of them (`LogDraft`), the names and
emails of its stakeholder nominees (with the coach's suggestions about them and the emails they were
sent; their anonymous answers stay, by group), and leaves an audit row saying what was purged, for
which engagement, and when. Each engagement is purged and committed
on its own (engagements.locking.sweep_engagements).
"""

from __future__ import annotations

import logging
from datetime import datetime

from coachhub.tenancy import audit
from engagements.models import ContractVersion, Engagement
from engagements.retention import retention_ends_at
from measurement.models import NominationSuggestion, Nominee, StakeholderResponse
from reminders.models import NomineeMessage
from sessions.models import CoachingSession, LogDraft

logger = logging.getLogger(__name__)


def _last_accepted(engagements) -> dict[int, ContractVersion]:
    """engagement id → its last accepted contract version (the one in force when it completed)."""
    return {
        version.engagement_id: version
        for version in ContractVersion.objects.filter(
            engagement__in=engagements, accepted_at__isnull=False
        ).order_by("engagement_id", "accepted_at")  # the last accepted version wins
    }


def expired_engagements(*, now: datetime) -> list[int]:
    """Ids of the current practice's completed engagements whose retention period has ended."""
    completed = list(Engagement.objects.filter(completed_at__isnull=False, completed_at__lt=now).order_by("pk"))
    contracts = _last_accepted(completed)
    return [
        engagement.pk for engagement in completed
        if engagement.pk in contracts and retention_ends_at(engagement, contracts[engagement.pk]) <= now
    ]


def purge_engagement_records(*, engagement: Engagement, now: datetime) -> int:
    """Purge one engagement's private notes if its retention period has ended (the caller holds its
    lock). Returns sessions purged."""
    contract = _last_accepted([engagement]).get(engagement.pk)
    if engagement.completed_at is None or contract is None or retention_ends_at(engagement, contract) > now:
        return 0
    sessions = CoachingSession.objects.select_for_update().filter(engagement=engagement).exclude(private_notes_ciphertext="")
    session_ids = list(sessions.values_list("pk", flat=True))
    drafts = dict(
        LogDraft.objects.select_for_update().filter(session__engagement=engagement)
        .exclude(private_notes_ciphertext="").values_list("pk", "session_id")
    )
    nominees = purge_nominees(engagement=engagement, now=now)
    if not session_ids and not drafts:
        return 0
    CoachingSession.objects.filter(pk__in=session_ids).update(private_notes_ciphertext="", updated_at=now)
    LogDraft.objects.filter(pk__in=drafts).update(private_notes_ciphertext="", updated_at=now)
    session_ids = set(session_ids) | set(drafts.values())
    audit.record(
        actor=None, action="records.purged", subject=str(engagement),
        engagement=engagement.pk, purged="private coach notes", sessions=len(session_ids), drafts=len(drafts),
        nominees=nominees,
        completed_at=engagement.completed_at.isoformat(), retention_months=contract.retention_months,
        contract_version=contract.number, purged_at=now.isoformat(),
    )
    logger.info("engagement %s: private notes of %d sessions purged (retention ended)", engagement.pk, len(session_ids))
    return len(session_ids)


def purge_nominees(*, engagement: Engagement, now: datetime) -> int:
    """The engagement's stakeholder nominees lose their names and emails (their rows stay, by group,
    for the response rates; their answers were cut from them when each point closed). Returns how many."""
    nominees = Nominee.objects.select_for_update().filter(engagement=engagement, purged_at__isnull=True)
    ids = list(nominees.values_list("pk", flat=True))
    if not ids:
        return 0
    StakeholderResponse.objects.filter(nominee_id__in=ids).update(nominee=None)
    NomineeMessage.objects.filter(nominee_id__in=ids).delete()
    NominationSuggestion.objects.filter(engagement=engagement).delete()
    Nominee.objects.filter(pk__in=ids).update(name="", email="", link_secret="", purged_at=now, updated_at=now)
    audit.record(actor=None, action="records.purged", subject=str(engagement), engagement=engagement.pk,
                 purged="stakeholder nominees' names and emails", nominees=len(ids), purged_at=now.isoformat())
    return len(ids)
