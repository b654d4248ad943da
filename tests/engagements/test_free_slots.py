"""The slot engine: weekly hours in the coach's zone, DST, dates off, notice, horizon, buffers."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coachhub.roster.models import Booking, TimeOff
from coachhub.roster.slots import free_slots
from engagements.services import _hold
from tests.conftest import publish_coach

pytestmark = pytest.mark.django_db

LONDON, NEW_YORK, UTC = ZoneInfo("Europe/London"), ZoneInfo("America/New_York"), ZoneInfo("UTC")
# A fixed "now": Monday 2 March 2026, 08:00 UTC.
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def local_times(slots, zone):
    return [slot.astimezone(zone).strftime("%a %d %H:%M") for slot in slots]


def test_weekly_hours_give_slots_in_the_coach_zone(acme, in_practice):
    with in_practice(acme):
        profile = publish_coach(acme.coach, weekdays=[0], hours=(9, 11))
        slots = free_slots(profile, first_day=date(2026, 3, 2), last_day=date(2026, 3, 8), zone=LONDON, now=NOW)
    assert local_times(slots, LONDON) == ["Mon 02 09:00", "Mon 02 09:30", "Mon 02 10:00", "Mon 02 10:30"]


def test_slots_follow_the_coachs_daylight_saving_change(acme, in_practice):
    """London moves to BST on 29 March 2026: 09:00 local is 09:00 UTC before, 08:00 UTC after."""
    with in_practice(acme):
        profile = publish_coach(acme.coach, weekdays=[0], hours=(9, 10), horizon_days=90)
        slots = free_slots(profile, first_day=date(2026, 3, 23), last_day=date(2026, 3, 30), zone=UTC, now=NOW)
    assert [s.strftime("%d %H:%M") for s in slots] == ["23 09:00", "23 09:30", "30 08:00", "30 08:30"]


def test_a_viewer_in_another_zone_sees_the_same_instants_in_their_own_time(acme, in_practice):
    with in_practice(acme):
        profile = publish_coach(acme.coach, weekdays=[1], hours=(14, 15))
        slots = free_slots(profile, first_day=date(2026, 3, 3), last_day=date(2026, 3, 3), zone=NEW_YORK, now=NOW)
    assert [s.isoformat() for s in slots] == ["2026-03-03T09:00:00-05:00", "2026-03-03T09:30:00-05:00"]


def test_dates_off_minimum_notice_and_horizon(acme, in_practice):
    with in_practice(acme):
        profile = publish_coach(acme.coach, minimum_notice_hours=26, horizon_days=7, hours=(9, 10))
        TimeOff.objects.create(coach=profile, first_day=date(2026, 3, 4), last_day=date(2026, 3, 5))
        slots = free_slots(profile, first_day=date(2026, 3, 1), last_day=date(2026, 3, 31), zone=LONDON, now=NOW)
    # Mon 2 and Tue 3 09:00 are within 26 h notice (until Tue 10:00); Wed 4 and Thu 5 are off;
    # the horizon ends Mon 9 08:00, so Mon 9 is out too.
    assert local_times(slots, LONDON) == ["Fri 06 09:00", "Fri 06 09:30"]


def test_bookings_of_every_kind_and_the_buffer_block_time(acme, in_practice):
    with in_practice(acme):
        profile = publish_coach(acme.coach, weekdays=[0], hours=(9, 12), buffer_minutes=15)
        _hold(profile=profile, kind=Booking.Kind.COACHING, starts_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
        slots = free_slots(profile, first_day=date(2026, 3, 2), last_day=date(2026, 3, 2), zone=UTC, now=NOW)
    # 10:00-10:30 is taken and blocks until 10:45; 09:30 would end 10:00 + 15 min buffer.
    assert [s.strftime("%H:%M") for s in slots] == ["09:00", "11:00", "11:30"]


def test_a_cancelled_booking_frees_its_time(acme, in_practice):
    with in_practice(acme):
        profile = publish_coach(acme.coach, weekdays=[0], hours=(9, 10))
        booking = _hold(profile=profile, kind=Booking.Kind.CHEMISTRY_CALL, starts_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        booking.is_active = False
        booking.save()
        slots = free_slots(profile, first_day=date(2026, 3, 2), last_day=date(2026, 3, 2), zone=UTC, now=NOW)
    assert len(slots) == 2


def test_sixty_days_over_a_year_of_bookings_takes_a_handful_of_queries(acme, in_practice, django_assert_max_num_queries):
    with in_practice(acme):
        profile = publish_coach(acme.coach, horizon_days=60)
        start = NOW - timedelta(days=182)
        for n in range(365):
            _hold(profile=profile, kind=Booking.Kind.COACHING, starts_at=(start + timedelta(days=n)).replace(hour=13))
        with django_assert_max_num_queries(3):
            slots = free_slots(profile, first_day=NOW.date(), last_day=NOW.date() + timedelta(days=60), zone=LONDON, now=NOW)
    assert slots and [s for s in slots if s.astimezone(UTC).strftime("%H:%M") == "13:00"] == []
