"""Reads: an engagement's reminders for the practice admin, and who has paused what."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from coachhub.reminders.models import EngagementPause, Reminder
from engagements.models import Engagement


def engagements_with_reminders() -> QuerySet[Engagement]:
    """Every engagement of the practice with its reminder counts and whether it is paused (one query)."""
    return (
        Engagement.objects.select_related("coachee", "coach")
        .annotate(
            reminders_due=Count("reminders", filter=Q(reminders__state=Reminder.State.PENDING)),
            reminders_sent=Count("reminders", filter=Q(reminders__state=Reminder.State.SENT)),
            paused=Exists(EngagementPause.objects.filter(engagement=OuterRef("pk"))),
        )
        .order_by("-created_at")
    )


def engagement_for_admin(engagement_id: int) -> Engagement:
    """The practice's engagement (DoesNotExist alike for another practice's and a missing one)."""
    return Engagement.objects.select_related("coachee", "coach").get(pk=engagement_id)


def reminders_of(engagement: Engagement) -> QuerySet[Reminder]:
    return Reminder.objects.filter(engagement=engagement).select_related("recipient").order_by("due_at", "kind", "pk")


def is_paused(engagement: Engagement) -> bool:
    return EngagementPause.objects.filter(engagement=engagement).exists()
