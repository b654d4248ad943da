"""Home pages: the coach's sessions today, this week, not yet logged, overdue actions; the coachee's link."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from coachhub.tenancy.viewers import Viewer
from coachhub.tenancy.context import practice_context
from sessions.models import ActionItem
from tests.conftest import client_at
from tests.sessions.conftest import book, past_session


def test_coach_home_lists_unlogged_sessions_and_overdue_actions(acme, engagement):
    session = past_session(acme, engagement, days_ago=2)
    upcoming = book(acme, engagement, after_days=2)
    with practice_context(acme.practice):
        ActionItem.objects.create(session=session, engagement=engagement, text="Overdue: call the CFO",
                                  due_date=timezone.localdate() - timedelta(days=1))
    body = client_at(acme, engagement.coach).get("/").content.decode()
    assert "Sessions not yet logged" in body and f"/sessions/{session.pk}/log/" in body
    assert "Overdue: call the CFO" in body
    assert f"/engagements/{engagement.pk}/sessions/" in body
    assert upcoming.booking.starts_at > timezone.now()


def test_other_coach_home_shows_none_of_it(acme, engagement):
    past_session(acme, engagement, days_ago=2)
    body = client_at(acme, acme.coach2).get("/").content.decode()
    assert "Sessions not yet logged" not in body and str(engagement.coachee) not in body


def test_coachee_home_links_to_their_sessions(acme, engagement):
    body = client_at(acme, engagement.coachee).get("/").content.decode()
    assert f"/engagements/{engagement.pk}/sessions/" in body


def test_on_the_day_the_clocks_go_back_today_runs_to_midnight(acme, engagement):
    """25 October 2026 has 25 hours in London: a session at 23:30 that evening is still today's."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

    from coachhub.roster.models import Booking
    from sessions import selectors
    from sessions.models import CoachingSession

    london = ZoneInfo("Europe/London")
    starts_at = datetime(2026, 10, 25, 23, 30, tzinfo=london)
    with practice_context(acme.practice), timezone.override(london):
        booking = Booking.objects.create(
            coach=engagement.coach, kind=Booking.Kind.COACHING, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=90),
            blocked=DateTimeTZRange(starts_at, starts_at + timedelta(minutes=90), "[)"),
        )
        session = CoachingSession.objects.create(engagement=engagement, booking=booking, number=1)
        home = selectors.coach_home(Viewer.of(engagement.coach), now=datetime(2026, 10, 25, 8, 0, tzinfo=london))
    assert [s.pk for s in home["sessions_today"]] == [session.pk]
    assert home["sessions_this_week"] == []
