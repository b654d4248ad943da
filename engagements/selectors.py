"""Reads for the journey: chemistry calls and engagements per viewer (free slots: coachhub/roster/slots.py)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from engagements.models import ChemistryCall, Engagement


def open_enquiry(coachee) -> Engagement | None:
    return Engagement.objects.filter(coachee=coachee, stage=Engagement.Stage.CHEMISTRY).first()


def has_coach(coachee) -> bool:
    """Whether the leader is already matched (contracting or being coached)."""
    return Engagement.objects.filter(coachee=coachee, stage__in=["contracting", "active"]).exists()


def coaches_met(engagement: Engagement) -> list:
    """The coaches a leader has had a chemistry call with (held: its start has passed)."""
    calls = engagement.chemistry_calls.filter(
        status=ChemistryCall.Status.BOOKED, booking__starts_at__lte=timezone.now()
    ).select_related("coach")
    return [call.coach for call in calls]


def upcoming_calls_for_coach(coach) -> QuerySet[ChemistryCall]:
    return ChemistryCall.objects.filter(
        coach=coach, status=ChemistryCall.Status.BOOKED, booking__ends_at__gte=timezone.now()
    ).select_related("booking", "engagement__coachee")


def calls_awaiting_outcome(coach) -> QuerySet[ChemistryCall]:
    return ChemistryCall.objects.filter(
        coach=coach, status=ChemistryCall.Status.BOOKED, coach_outcome="", booking__starts_at__lt=timezone.now()
    ).select_related("booking", "engagement__coachee")


def calls_of_coachee(coachee) -> QuerySet[ChemistryCall]:
    return ChemistryCall.objects.filter(engagement__coachee=coachee).exclude(
        status=ChemistryCall.Status.CANCELLED
    ).select_related("booking", "coach", "engagement")
