"""Session fixtures: acme's coachee2 and coach in an active engagement (contract accepted by all),
the coach published with weekday hours, and helpers that book and log through the services."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from coachhub.roster.models import Booking
from engagements.models import Engagement
from coachhub.roster.slots import free_slots
from sessions.services.booking import book_session
from sessions.services.log import save_log
from sessions.models import CoachingSession
from tests.conftest import PracticeCast, publish_coach
from tests.contracts.conftest import BASE_URL, accepted_by_all, matched_engagement


def active_engagement(cast: PracticeCast, coachee=None, coach=None) -> Engagement:
    engagement = matched_engagement(cast, coachee=coachee, coach=coach)
    accepted_by_all(cast, engagement)
    with practice_context(cast.practice):
        return Engagement.objects.select_related("coachee", "coach").get(pk=engagement.pk)


@pytest.fixture
def engagement(acme) -> Engagement:
    with practice_context(acme.practice):
        publish_coach(acme.coach, horizon_days=365)
    return active_engagement(acme)


def next_free_slot(coach, minutes: int = 90, after_days: int = 1) -> datetime:
    from coachhub.roster.models import CoachProfile

    profile = CoachProfile.objects.get(user=coach)
    first = timezone.localdate() + timedelta(days=after_days)
    return free_slots(profile, first_day=first, last_day=first + timedelta(days=14), zone=timezone.get_current_timezone(), minutes=minutes)[0]


def book(cast: PracticeCast, engagement: Engagement, after_days: int = 1, **options) -> CoachingSession:
    with practice_context(cast.practice):
        return book_session(
            engagement=engagement, actor=engagement.coach, starts_at=next_free_slot(engagement.coach, after_days=after_days),
            base_url=BASE_URL, **options,
        )


def past_session(cast: PracticeCast, engagement: Engagement, days_ago: int = 7, number: int = 1) -> CoachingSession:
    """A session that already happened (the services only book free times ahead)."""
    with practice_context(cast.practice):
        starts_at = timezone.now().replace(microsecond=0) - timedelta(days=days_ago, minutes=number)
        ends_at = starts_at + timedelta(minutes=90)
        booking = Booking.objects.create(
            coach=engagement.coach, kind=Booking.Kind.COACHING, starts_at=starts_at, ends_at=ends_at,
            blocked=DateTimeTZRange(starts_at, ends_at, "[)"),
        )
        return CoachingSession.objects.create(engagement=engagement, booking=booking, number=number)


def log(cast: PracticeCast, session: CoachingSession, **fields) -> CoachingSession:
    with practice_context(cast.practice):
        current = CoachingSession.objects.get(pk=session.pk)
        saved, _ = save_log(session=current, actor=current.engagement.coach, version=current.version, final=True, **fields)
        return saved


