"""Many due reminders at once: open actions due tomorrow, armed through the service."""

from __future__ import annotations

from datetime import timedelta

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from reminders import services as reminders_services
from reminders.models import Reminder
from coachhub.tenancy.context import practice_context
from coachhub.roster.models import Booking
from engagements.models import Engagement
from sessions.models import ActionItem, CoachingSession
from tests.conftest import PracticeCast


def active_engagement_with_session(cast: PracticeCast) -> CoachingSession:
    with practice_context(cast.practice):
        engagement = Engagement.objects.create(
            coachee=cast.coachee, coach=cast.coach, stage=Engagement.Stage.ACTIVE, objectives="Lead well.",
        )
        starts_at = timezone.now().replace(microsecond=0) - timedelta(days=3)
        booking = Booking.objects.create(
            coach=cast.coach, kind=Booking.Kind.COACHING, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
            blocked=DateTimeTZRange(starts_at, starts_at + timedelta(hours=1), "[)"),
        )
        return CoachingSession.objects.create(engagement=engagement, booking=booking, number=1, logged_at=timezone.now())


def due_actions(cast: PracticeCast, count: int, session: CoachingSession | None = None) -> list[Reminder]:
    """`count` open actions due tomorrow, each armed: their reminders fall due today at 09:00 local."""
    session = session or active_engagement_with_session(cast)
    with practice_context(cast.practice):
        tomorrow = timezone.localdate() + timedelta(days=1)
        actions = ActionItem.objects.bulk_create(
            ActionItem(practice=cast.practice, session=session, engagement=session.engagement, text=f"Action {n}",
                       owner="coachee", due_date=tomorrow)
            for n in range(count)
        )
        for action in ActionItem.objects.filter(pk__in=[a.pk for a in actions]).select_related("engagement"):
            reminders_services.arm_action(action=action)
        return list(Reminder.objects.filter(kind="action_due"))


def after_all_due(rows: list[Reminder]):
    return max(r.due_at for r in rows) + timedelta(minutes=1)
