"""Busy times from a coach's own calendars count like bookings in every slot picker: the directory,
the booking API, chemistry calls, contracting and coaching sessions; buffers included; a slot that
became busy is refused with the usual message; the query count stays the same."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from coachhub.roster.calendars.models import BusyBlock, CalendarConnection, ConnectedCalendar
from coachhub.roster.calendars.sync import seal
from coachhub.roster.slots import free_slots, is_free_slot
from coachhub.tenancy.context import practice_context
from tests.engagements.test_api_support import (  # noqa: F401
    NOW,
    SLOT,
    UTC,
    api,
    bookable_coach,
    booking,
    frozen_now,
    post_booking,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

MONDAY = datetime(2026, 3, 23, tzinfo=UTC)  # London is on GMT that day


def busy(profile, *ranges: tuple[datetime, datetime], synced_ago: timedelta = timedelta(minutes=3), paused: bool = False):
    """A connection of the coach's, last synced `synced_ago`, with these busy blocks."""
    connection = CalendarConnection.objects.create(
        coach=profile, kind="ical", host="calendar.example", secret_ciphertext=seal({"url": "https://calendar.example/x.ics"}),
        status="ok", last_good_sync_at=timezone.now() - synced_ago, is_paused=paused,
    )
    calendar = ConnectedCalendar.objects.create(connection=connection, url="subscription", name="Work")
    BusyBlock.objects.bulk_create([
        BusyBlock(practice_id=connection.practice_id, coach_id=profile.user_id, connection=connection, calendar=calendar,
                  source="feed", starts_at=start, ends_at=end)
        for start, end in ranges
    ])
    return connection


def monday_slots(profile, minutes=None) -> list[str]:
    return [f"{s:%H:%M}" for s in free_slots(profile, first_day=MONDAY.date(), last_day=MONDAY.date(), zone=UTC, minutes=minutes)]


def test_a_busy_block_takes_out_the_slots_it_overlaps_with_the_buffer_either_side(acme):
    profile = bookable_coach(acme, buffer_minutes=15, hours=(9, 13))
    with practice_context(acme.practice):
        before = monday_slots(profile)
        busy(profile, (MONDAY.replace(hour=11), MONDAY.replace(hour=11, minute=30)))
        after = monday_slots(profile)
    assert before == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30"]
    # 10:30 would end at 11:00 with its buffer running into the block; 11:30 would start
    # inside the buffer after it.
    assert after == ["09:00", "09:30", "10:00", "12:00", "12:30"]


def test_overlapping_busy_blocks_and_bookings_merge(acme):
    from engagements.services import _hold

    profile = bookable_coach(acme, hours=(9, 13))
    with practice_context(acme.practice):
        _hold(profile=profile, kind="coaching", starts_at=MONDAY.replace(hour=10))  # 10:00–10:30
        busy(profile, (MONDAY.replace(hour=9, minute=45), MONDAY.replace(hour=10, minute=15)),
             (MONDAY.replace(hour=10), MONDAY.replace(hour=11)))
        assert monday_slots(profile) == ["09:00", "11:00", "11:30", "12:00", "12:30"]


def test_contracting_and_coaching_session_lengths_respect_busy_blocks(acme):
    profile = bookable_coach(acme, hours=(9, 12))
    with practice_context(acme.practice):
        busy(profile, (MONDAY.replace(hour=10, minute=30), MONDAY.replace(hour=11)))
        assert monday_slots(profile, minutes=60) == ["09:00", "11:00"]
        assert not is_free_slot(profile, MONDAY.replace(hour=10), minutes=60)
        assert is_free_slot(profile, MONDAY.replace(hour=9), minutes=60)


def test_the_booking_api_does_not_offer_busy_times_and_refuses_them(acme):
    profile = bookable_coach(acme)
    with practice_context(acme.practice):
        busy(profile, (MONDAY.replace(hour=9), MONDAY.replace(hour=10)))
    slots = api(acme).get(f"/api/v1/coaches/{profile.pk}/slots", {"start": "2026-03-23", "end": "2026-03-23", "tz": "UTC"}).json()
    assert slots["slots"][0] == "2026-03-23T10:00:00+00:00"
    response = post_booking(acme, booking(profile, start=SLOT))
    assert response.status_code == 409 and response.json()["code"] == "not_a_slot"
    assert "no longer free" in response.json()["errors"]["start"][0]


def test_a_slot_that_became_busy_after_the_page_loaded_is_refused_on_the_page(acme):
    from django.test import Client

    profile = bookable_coach(acme)
    assert Client(HTTP_HOST=acme.host).get(f"/coaches/{profile.pk}/").status_code == 200
    with practice_context(acme.practice):
        busy(profile, (MONDAY.replace(hour=9), MONDAY.replace(hour=10)))
    response = Client(HTTP_HOST=acme.host).post(f"/coaches/{profile.pk}/", {
        "start": SLOT, "tz": "Europe/London", "name": "Lee Leader", "email": "lee@example.com",
        "objectives": "Lead my team through a merger.",
    })
    assert "no longer free" in response.content.decode()


def test_busy_blocks_of_a_paused_or_long_failing_connection_stop_counting(acme):
    profile = bookable_coach(acme, hours=(9, 10))
    block = (MONDAY.replace(hour=9), MONDAY.replace(hour=10))
    with practice_context(acme.practice):
        busy(profile, block, paused=True)
        assert monday_slots(profile) == ["09:00", "09:30"]
        busy(profile, block, synced_ago=timedelta(hours=23))
        assert monday_slots(profile) == []
        CalendarConnection.objects.update(last_good_sync_at=NOW - timedelta(hours=25))
        assert monday_slots(profile) == ["09:00", "09:30"]


def test_two_thousand_busy_blocks_cost_no_extra_query(acme, django_assert_max_num_queries):
    profile = bookable_coach(acme, horizon_days=60)
    with practice_context(acme.practice):
        start = NOW.replace(hour=13, minute=0)
        busy(profile, *[(start + timedelta(hours=8 * n), start + timedelta(hours=8 * n, minutes=45)) for n in range(2000)])
        with django_assert_max_num_queries(3):
            slots = free_slots(profile, first_day=NOW.date(), last_day=NOW.date() + timedelta(days=60), zone=UTC)
    assert slots and all(s.strftime("%H:%M") not in {"13:00", "13:30"} for s in slots)


def test_another_coachs_busy_blocks_do_not_count(acme):
    profile = bookable_coach(acme, hours=(9, 10))
    other = bookable_coach(acme, acme.coach2, hours=(9, 10))
    with practice_context(acme.practice):
        busy(other, (MONDAY.replace(hour=9), MONDAY.replace(hour=10)))
        assert monday_slots(profile) == ["09:00", "09:30"]
