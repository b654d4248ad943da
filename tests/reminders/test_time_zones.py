"""Due instants are UTC instants; "the day before at 09:00" and "07:00" are on the recipient's wall
clock, right across the spring and autumn changes in Europe/London and America/New_York."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from reminders.kinds import local_instant, next_local_time
from coachhub.tenancy.context import practice_context
from sessions.services.actions import add_action
from tests.reminders.conftest import pending
from tests.reminders.helpers import active_engagement_with_session

UTC = ZoneInfo("UTC")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("zone", "due_date", "expected"), [
    # London springs forward on Sunday 28 March 2027: Saturday 09:00 is GMT, Sunday 09:00 is BST.
    ("Europe/London", date(2027, 3, 28), utc(2027, 3, 27, 9)),
    ("Europe/London", date(2027, 3, 29), utc(2027, 3, 28, 8)),
    # London falls back on Sunday 25 October 2026.
    ("Europe/London", date(2026, 10, 25), utc(2026, 10, 24, 8)),
    ("Europe/London", date(2026, 10, 26), utc(2026, 10, 25, 9)),
    # New York springs forward on Sunday 14 March 2027 and falls back on Sunday 1 November 2026.
    ("America/New_York", date(2027, 3, 14), utc(2027, 3, 13, 14)),
    ("America/New_York", date(2027, 3, 15), utc(2027, 3, 14, 13)),
    ("America/New_York", date(2026, 11, 1), utc(2026, 10, 31, 13)),
    ("America/New_York", date(2026, 11, 2), utc(2026, 11, 1, 14)),
])
def test_an_action_is_reminded_at_nine_local_the_day_before_across_dst(zone, due_date, expected):
    from datetime import timedelta

    assert local_instant(due_date - timedelta(days=1), time(9), zone) == expected
    assert expected.astimezone(ZoneInfo(zone)).hour == 9


@pytest.mark.parametrize(("zone", "after", "expected"), [
    ("Europe/London", utc(2027, 3, 27, 12), utc(2027, 3, 28, 6)),  # 07:00 BST, the morning after the change
    ("Europe/London", utc(2027, 3, 27, 6, 30), utc(2027, 3, 27, 7)),  # 07:00 GMT, still to come today
    ("Europe/London", utc(2026, 10, 24, 12), utc(2026, 10, 25, 7)),  # 07:00 GMT, the morning of the change
    ("America/New_York", utc(2027, 3, 13, 15), utc(2027, 3, 14, 11)),  # 07:00 EDT
    ("America/New_York", utc(2026, 10, 31, 15), utc(2026, 11, 1, 12)),  # 07:00 EST
])
def test_the_morning_digest_is_at_seven_on_the_readers_clock_across_dst(zone, after, expected):
    assert next_local_time(after, time(7), zone) == expected
    assert expected.astimezone(ZoneInfo(zone)).hour == 7


@pytest.mark.django_db
@pytest.mark.parametrize(("zone", "due_date", "expected"), [
    ("America/New_York", date(2027, 3, 15), utc(2027, 3, 14, 13)),
    ("Europe/London", date(2027, 3, 29), utc(2027, 3, 28, 8)),
    ("Europe/London", date(2027, 10, 31), utc(2027, 10, 30, 8)),
    ("America/New_York", date(2027, 11, 8), utc(2027, 11, 7, 14)),
])
def test_an_action_armed_through_the_service_follows_the_owners_zone(acme, zone, due_date, expected):
    session = active_engagement_with_session(acme)
    acme.coachee.time_zone = zone
    acme.coachee.save()
    with practice_context(acme.practice):
        add_action(session=session, actor=acme.coach, text="Plan", owner="coachee", due_date=due_date)
    assert pending(acme) == [("action_due", acme.coachee.pk, expected)]


def test_a_reminder_24_hours_before_an_event_is_24_hours_of_real_time_even_across_the_change():
    """Bookings come from the database in UTC, so "24 h before" is UTC arithmetic, not wall-clock."""
    from datetime import timedelta

    from reminders.kinds import KINDS

    class Booking:  # what the kind reads of a chemistry call
        starts_at = datetime(2027, 3, 28, 10, 0, tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)  # 09:00 UTC
        ends_at = starts_at + timedelta(minutes=30)
        is_active = True

    class Call:
        status, booking, coach_id = "booked", Booking, 1
        engagement = type("Engagement", (), {"coachee_id": 2})

    due = {kind: KINDS[kind].wanted(Call)[0][1] for kind in ("chemistry_call_24h", "chemistry_call_1h")}
    assert due["chemistry_call_24h"] == utc(2027, 3, 27, 9)  # 09:00 GMT the day before: 24 real hours
    assert due["chemistry_call_1h"] == utc(2027, 3, 28, 8)
