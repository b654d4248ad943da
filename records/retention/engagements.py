"""Completed engagements: records are kept as the contract's record-keeping section says, for its
`retention_months` after completion (the last accepted version's), then the engagement's personal data
is purged and what the dashboards count stays, anonymous.

What identifies the coachee or says what they brought to coaching goes:
- the objectives and hopes they wrote when booking, the coaches' notes on the chemistry calls;
- every session's goals, shared summary, topics worked on and private notes; actions; signed-out log
  drafts; the coachee's reflections;
- the comments of every rating (and the rating revisions), the coach's comments on measurement points,
  the reasons points were moved, stakeholders' comments, nominees' names and emails (their anonymous
  answers stay, by group), the coach's suggestions about them and the emails they were sent;
- the reminders sent about the engagement;
- the contract versions' text, the names frozen in them, the objectives' wording and the acceptance
  records (who, when, from where), through the database's own purge function
  (engagements.retention.purge_contract_records); stored contract, progress and private-notes PDFs.
The coachee then no longer appears in the engagement at all: it, its contract versions and the
coachee's ratings belong to the practice's anonymous coachee ("Former coachee (records purged)"), and
the coachee's account goes too when nothing else keeps it (records.anonymising.forget_former_coachee).

What stays, so the sponsor's and the practice's dashboards read the same numbers before and after:
the engagement (stage, dates, coach, sponsor, client organisation), its sessions (number, dates,
attendance, sessions used), the contract versions' numbers, dates, package and hash, the objectives'
positions, baselines, targets and raters, every rating's score by role, results and statuses of the
points, stakeholder responses' groups and scores, nominees' groups (for the response rate).
One audit line per engagement says what went.
"""

from __future__ import annotations

import logging
from datetime import datetime


from coachhub.tenancy import audit
from engagements.models import Acceptance, ChemistryCall, ContractVersion, Engagement
from engagements.retention import purge_contract_records, retention_ends_at
from measurement.models import (
    MeasurementPoint,
    NominationSuggestion,
    Nominee,
    PointMove,
    Rating,
    RatingRevision,
    StakeholderResponse,
)
from measurement.summaries.building import refresh_summary
from records.anonymising import REMOVED_TEXT, anonymous_coachee, forget_former_coachee
from records.files import delete_stored_pdfs
from reminders.models import NomineeMessage, Reminder
from sessions.models import ActionItem, CoacheeReflection, CoachingSession, LogDraft

logger = logging.getLogger(__name__)

# What the audit line says went (with the counts of each).
PURGED = [
    "chemistry-call objectives and hopes, the coaches' notes on the calls",
    "session goals, shared summaries, topics worked on, private notes, actions, log drafts",
    "the coachee's reflections",
    "rating comments and earlier revisions, measurement point comments and reasons for moving them",
    "stakeholders' comments, nominees' names and emails",
    "contract versions' text and names, objectives' wording, acceptance records, stored PDFs",
    "reminders sent about it",
    "the coachee's link to it (now the practice's anonymous coachee)",
]


def _last_accepted(engagements) -> dict[int, ContractVersion]:
    """engagement id → its last accepted contract version (the one in force when it completed)."""
    return {
        version.engagement_id: version
        for version in ContractVersion.objects.filter(
            engagement__in=engagements, accepted_at__isnull=False
        ).order_by("engagement_id", "accepted_at")  # the last accepted version wins
    }


def expired_engagements(*, now: datetime) -> list[int]:
    """Ids of the current practice's completed, unpurged engagements whose retention period has ended."""
    completed = list(Engagement.objects.filter(completed_at__isnull=False, completed_at__lt=now, purged_at__isnull=True).order_by("pk"))
    contracts = _last_accepted(completed)
    return [
        engagement.pk for engagement in completed
        if engagement.pk in contracts and retention_ends_at(engagement, contracts[engagement.pk]) <= now
    ]


def purge_engagement_records(*, engagement: Engagement, now: datetime) -> bool:
    """Purge one engagement if its retention period has ended (the caller holds its lock). Returns
    whether it was purged."""
    contract = _last_accepted([engagement]).get(engagement.pk)
    if (engagement.purged_at is not None or engagement.completed_at is None or contract is None
            or retention_ends_at(engagement, contract) > now):
        return False
    coachee, anonymous = engagement.coachee, anonymous_coachee()
    acceptances = Acceptance.objects.filter(version__engagement=engagement).count()
    versions = purge_contract_records(engagement, anonymous_coachee=anonymous)
    Engagement.objects.filter(pk=engagement.pk).update(
        coachee=anonymous, objectives="", hopes="", purged_at=now, updated_at=now,
    )
    ChemistryCall.objects.filter(engagement=engagement).update(coach_notes="", updated_at=now)
    counts = {
        "contract_versions": versions, "acceptances": acceptances,
        **_purge_sessions(engagement, now), **_purge_measurement(engagement, coachee, anonymous, now),
        "nominees": purge_nominees(engagement=engagement, now=now),
        "reminders": Reminder.objects.filter(engagement=engagement).exclude(state=Reminder.State.SENDING).delete()[0],
        "pdfs": delete_stored_pdfs(engagement.pk),
    }
    refresh_summary(engagement.pk)
    label, account = forget_former_coachee(
        coachee, now=now,
        reason="Retention purge: the record-keeping period of their coaching ended and nothing else of theirs is kept.",
    )
    audit.record(
        actor=None, action="records.purged",
        subject=f"Engagement {engagement.pk} (completed {engagement.completed_at:%Y-%m-%d})",
        engagement=engagement.pk, purged=PURGED + (["the coachee's contact details"] if label else []),
        account=account, **counts, completed_at=engagement.completed_at.isoformat(),
        retention_months=contract.retention_months, contract_version=contract.number, purged_at=now.isoformat(),
    )
    logger.info("engagement %s: records purged (retention ended; %s)", engagement.pk, account)
    return True


def _purge_sessions(engagement: Engagement, now: datetime) -> dict[str, int]:
    sessions = CoachingSession.objects.filter(engagement=engagement)
    return {
        "sessions": sessions.update(
            goals="", summary="", worked_on=[], private_notes_ciphertext="", summary_shared_with_sponsor=False, updated_at=now,
        ),
        "actions": ActionItem.objects.filter(engagement=engagement).delete()[0],
        "log_drafts": LogDraft.objects.filter(session__engagement=engagement).delete()[0],
        "reflections": CoacheeReflection.objects.filter(engagement=engagement).delete()[0],
    }


def _purge_measurement(engagement: Engagement, coachee, anonymous, now: datetime) -> dict[str, int]:
    """Comments go; scores, results and statuses stay. Rows that named the coachee name the anonymous one."""
    ratings = Rating.objects.filter(point__engagement=engagement)
    revisions = RatingRevision.objects.filter(rating__point__engagement=engagement).delete()[0]
    ratings.filter(rater=coachee).update(rater=anonymous)
    points = MeasurementPoint.objects.filter(engagement=engagement)
    points.filter(closed_by=coachee).update(closed_by=anonymous)
    PointMove.objects.filter(point__engagement=engagement, moved_by=coachee).update(moved_by=anonymous)
    return {
        "ratings": ratings.update(comment="", updated_at=now),
        "rating_revisions": revisions,
        "points": points.update(coach_comment="", updated_at=now),
        "point_moves": PointMove.objects.filter(point__engagement=engagement).update(reason=REMOVED_TEXT, updated_at=now),
        "stakeholder_comments": StakeholderResponse.objects.filter(point__engagement=engagement)
        .exclude(comment="").update(comment="", updated_at=now),
    }


def purge_nominees(*, engagement: Engagement, now: datetime) -> int:
    """The engagement's stakeholder nominees lose their names and emails and who named them (their rows
    stay, by group, for the response rates; their answers were cut from them when each point closed).
    Returns how many."""
    nominees = Nominee.objects.select_for_update().filter(engagement=engagement, purged_at__isnull=True)
    ids = list(nominees.values_list("pk", flat=True))
    NominationSuggestion.objects.filter(engagement=engagement).delete()
    if not ids:
        return 0
    StakeholderResponse.objects.filter(nominee_id__in=ids).update(nominee=None)
    NomineeMessage.objects.filter(nominee_id__in=ids).delete()
    Nominee.objects.filter(pk__in=ids).update(
        name="", email="", link_secret="", nominated_by=None, purged_at=now, updated_at=now,
    )
    return len(ids)
