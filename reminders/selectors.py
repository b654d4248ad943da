"""Reads: an engagement's reminders for the practice admin, and who has paused what."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from reminders.models import EngagementPause, Reminder
from coachhub.tenancy.viewers import Viewer
from engagements.access import Data, access_engagement
from engagements.models import ChemistryCall, ContractVersion, Engagement
from measurement.models import MeasurementPoint
from sessions.models import ActionItem, CoachingSession


def engagements_with_reminders() -> QuerySet[Engagement]:
    """Every engagement of the practice with its reminder counts and whether it is paused (one query)."""
    return (
        Engagement.objects.select_related("coachee", "coach")
        .annotate(
            # A reminder on its way (claimed by the outbox, `sending`) is still due until it is sent.
            reminders_due=Count("reminders", filter=Q(reminders__state__in=[Reminder.State.PENDING, Reminder.State.SENDING])),
            reminders_sent=Count("reminders", filter=Q(reminders__state=Reminder.State.SENT)),
            paused=Exists(EngagementPause.objects.filter(engagement=OuterRef("pk"))),
        )
        .order_by("-created_at")
    )


def access_reminder_list(viewer: Viewer, engagement_id: int) -> Engagement:
    """An engagement whose reminders `viewer` may see and pause (its practice's admins), at any
    stage; Http404 otherwise (engagements/access.py)."""
    return access_engagement(viewer, engagement_id, to_see=Data.REMINDERS, stages=tuple(Engagement.Stage.values))


def reminders_of(engagement: Engagement) -> QuerySet[Reminder]:
    return Reminder.objects.filter(engagement=engagement).select_related("recipient").order_by("due_at", "kind", "pk")


def is_paused(engagement: Engagement) -> bool:
    return EngagementPause.objects.filter(engagement=engagement).exists()


def subjects_of(reminders) -> dict[str, tuple[str, object]]:
    """What each reminder is about, for the admin's list: subject → (words, instant or None).

    One query per kind of subject whatever the number of reminders ("End-point", "Session 4", ...).
    """
    ids: dict[str, set[int]] = {}
    for reminder in reminders:
        prefix, _, pk = reminder.subject.partition(":")
        if pk.isdigit():
            ids.setdefault(prefix, set()).add(int(pk))
    about: dict[str, tuple[str, object]] = {}
    if "call" in ids:
        for call in ChemistryCall.objects.filter(pk__in=ids["call"]).select_related("booking"):
            about[f"call:{call.pk}"] = ("Chemistry call", call.booking.starts_at)
    if "session" in ids:
        for session in CoachingSession.objects.filter(pk__in=ids["session"]).select_related("booking"):
            about[f"session:{session.pk}"] = (f"Session {session.number}", session.booking.starts_at)
    if "contract" in ids:
        for version in ContractVersion.objects.filter(pk__in=ids["contract"]).only("pk", "number"):
            about[f"contract:{version.pk}"] = (f"Contract version {version.number}", None)
    if "action" in ids:
        for action in ActionItem.objects.filter(pk__in=ids["action"]).only("pk", "text"):
            text = action.text if len(action.text) <= 60 else action.text[:59] + "…"
            about[f"action:{action.pk}"] = (f"Action: {text}", None)
    if "point" in ids:
        for point in MeasurementPoint.objects.filter(pk__in=ids["point"]).only("pk", "kind"):
            about[f"point:{point.pk}"] = (point.get_kind_display(), None)
    return about
