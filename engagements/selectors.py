"""Reads for the journey: chemistry calls and engagements per viewer (free slots: coachhub/roster/slots.py)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from coachhub.tenancy.viewers import Viewer
from engagements.access import COACH, COACHEE, Data, visible_chemistry_calls, visible_engagements
from engagements.models import ChemistryCall, Engagement


def has_coach(viewer: Viewer) -> bool:
    """Whether the leader `viewer` is already matched (contracting or being coached)."""
    return visible_engagements(viewer, Data.SESSION_DATES, acting_as=COACHEE).filter(
        stage__in=[Engagement.Stage.CONTRACTING, Engagement.Stage.ACTIVE]
    ).exists()


# A coach's load, written once: the engagements they carry are those matched and not yet completed.
# The booking service's capacity check, the roster (through its registry) and the practice dashboard
# all count these.
CARRIED_STAGES = (Engagement.Stage.CONTRACTING, Engagement.Stage.ACTIVE)


def coach_loads(coach_ids: list[int]) -> dict[int, int]:
    """How many coachees each coach carries (engagements in CARRIED_STAGES): one query.
    Coaches carrying none are left out. The roster's page asks it through its registry."""
    rows = (
        Engagement.objects.filter(coach_id__in=coach_ids, stage__in=CARRIED_STAGES)
        .order_by().values("coach_id").annotate(n=Count("pk"))
    )
    return {row["coach_id"]: row["n"] for row in rows}


def coaches_met(engagement: Engagement) -> list:
    """The coaches a leader has had a chemistry call with (held: its start has passed)."""
    calls = engagement.chemistry_calls.filter(
        status=ChemistryCall.Status.BOOKED, booking__starts_at__lte=timezone.now()
    ).select_related("coach")
    return [call.coach for call in calls]


def coach_calls(viewer: Viewer, *, now: datetime | None = None) -> tuple[list[ChemistryCall], list[ChemistryCall]]:
    """The booked chemistry calls `viewer` holds as the coach called, not yet ended, and those begun
    whose outcome they have still to record (a call under way is both), for the home page: one query."""
    now = now or timezone.now()
    upcoming = Q(booking__ends_at__gte=now)
    awaiting_outcome = Q(coach_outcome="", booking__starts_at__lt=now)
    calls = list(
        visible_chemistry_calls(viewer, acting_as=COACH).filter(upcoming | awaiting_outcome, status=ChemistryCall.Status.BOOKED)
    )
    return (
        [call for call in calls if call.booking.ends_at >= now],
        [call for call in calls if call.coach_outcome == "" and call.booking.starts_at < now],
    )


def calls_of_coachee(viewer: Viewer) -> QuerySet[ChemistryCall]:
    """The chemistry calls `viewer` booked as a leader, not cancelled."""
    return visible_chemistry_calls(viewer, acting_as=COACHEE).exclude(status=ChemistryCall.Status.CANCELLED)
