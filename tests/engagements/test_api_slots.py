"""GET /api/v1/coaches/{id}/slots: free start times in the viewer's zone, and clear 400s."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachhub.tenancy.context import practice_context
from coachhub.roster.models import Booking
from engagements.services import _hold
from tests.engagements.test_api_support import (  # noqa: F401
    UTC,
    api,
    bookable_coach,
    frozen_now,
    new_coach,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def get_slots(cast, profile_id, **params):
    return api(cast).get(f"/api/v1/coaches/{profile_id}/slots", params)


def test_slots_are_iso_times_with_the_offset_of_the_requested_zone(acme):
    profile = bookable_coach(acme, weekdays=[0], hours=(9, 10))
    response = get_slots(acme, profile.pk, start="2026-03-23", end="2026-03-23", tz="America/New_York")
    assert response.status_code == 200
    assert response.json() == {
        "coach": profile.pk, "tz": "America/New_York",
        "slots": ["2026-03-23T05:00:00-04:00", "2026-03-23T05:30:00-04:00"],
    }


def test_slots_follow_the_london_change_to_summer_time(acme):
    """Weekly hours 09:00–10:00 London: 09:00 GMT on Friday 27 March, 09:00 BST (08:00 UTC)
    on Monday 30 March, after the clocks go forward on Sunday 29 March 2026."""
    profile = bookable_coach(acme, hours=(9, 10))
    london = get_slots(acme, profile.pk, start="2026-03-27", end="2026-03-30", tz="Europe/London").json()
    utc = get_slots(acme, profile.pk, start="2026-03-27", end="2026-03-30", tz="UTC").json()
    assert london["slots"] == [
        "2026-03-27T09:00:00+00:00", "2026-03-27T09:30:00+00:00",
        "2026-03-30T09:00:00+01:00", "2026-03-30T09:30:00+01:00",
    ]
    assert utc["slots"] == [
        "2026-03-27T09:00:00+00:00", "2026-03-27T09:30:00+00:00",
        "2026-03-30T08:00:00+00:00", "2026-03-30T08:30:00+00:00",
    ]


def test_days_are_counted_in_the_requested_zone(acme):
    """Monday 23 March in Tokyo ends at 15:00 UTC, so of the coach's Monday 09:00–17:00 in
    London it holds 09:00–15:00: 18:00–23:30 in Tokyo."""
    profile = bookable_coach(acme, weekdays=[0], hours=(9, 17))
    tokyo = get_slots(acme, profile.pk, start="2026-03-23", end="2026-03-23", tz="Asia/Tokyo").json()
    assert tokyo["slots"][0] == "2026-03-23T18:00:00+09:00"
    assert tokyo["slots"][-1] == "2026-03-23T23:30:00+09:00"


def test_the_zone_defaults_to_the_practices(globex):
    profile = bookable_coach(globex, weekdays=[0], hours=(9, 10))
    response = get_slots(globex, profile.pk, start="2026-03-23", end="2026-03-23")
    assert response.json()["tz"] == "America/New_York"
    assert response.json()["slots"][0] == "2026-03-23T05:00:00-04:00"


def test_a_taken_time_is_not_offered(acme):
    profile = bookable_coach(acme, weekdays=[0], hours=(9, 10))
    with practice_context(acme.practice):
        _hold(profile=profile, kind=Booking.Kind.COACHING, starts_at=datetime(2026, 3, 23, 9, 0, tzinfo=UTC))
    response = get_slots(acme, profile.pk, start="2026-03-23", end="2026-03-23", tz="UTC")
    assert response.json()["slots"] == ["2026-03-23T09:30:00+00:00"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"end": "2026-03-27"}, "start"),
        ({"start": "2026-03-23"}, "end"),
        ({"start": "23/03/2026", "end": "2026-03-27"}, "start"),
        ({"start": "2026-03-23", "end": "2026-02-30"}, "end"),
        ({"start": "20260323", "end": "2026-03-27"}, "start"),
        ({"start": "2026-03-27", "end": "2026-03-23"}, "end"),
        ({"start": "2026-03-23", "end": "2026-03-27", "tz": "Mars/Olympus_Mons"}, "tz"),
        ({"start": "2026-03-23", "end": "2026-03-27", "tz": "../../etc/passwd"}, "tz"),
    ],
    ids=["start-missing", "end-missing", "start-not-iso", "end-not-a-day", "start-basic-format",
         "end-before-start", "tz-unknown", "tz-malformed"],
)
def test_bad_parameters_are_400_with_a_message_for_the_field(acme, params, field):
    profile = bookable_coach(acme)
    response = get_slots(acme, profile.pk, **params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert response.json()["errors"][field][0]


def test_a_range_longer_than_the_coachs_horizon_is_400(acme):
    profile = bookable_coach(acme, horizon_days=14)
    assert get_slots(acme, profile.pk, start="2026-03-20", end="2026-04-03").status_code == 200
    response = get_slots(acme, profile.pk, start="2026-03-20", end="2026-04-04")
    assert response.status_code == 400
    assert response.json()["errors"] == {"end": ["Ask for at most 15 days at a time."]}


def test_a_range_longer_than_62_days_is_400_whatever_the_horizon(acme):
    profile = bookable_coach(acme, horizon_days=365)
    assert get_slots(acme, profile.pk, start="2026-04-01", end="2026-06-01").status_code == 200
    response = get_slots(acme, profile.pk, start="2026-04-01", end="2026-06-02")
    assert response.status_code == 400
    assert response.json()["errors"] == {"end": ["Ask for at most 62 days at a time."]}


@pytest.mark.parametrize(("start", "end"), [("0001-01-01", "0001-01-31"), ("9999-12-01", "9999-12-31")])
def test_dates_far_in_the_past_or_future_have_no_slots(acme, start, end):
    profile = bookable_coach(acme)
    response = get_slots(acme, profile.pk, start=start, end=end, tz="Pacific/Kiritimati")
    assert response.status_code == 200
    assert response.json()["slots"] == []


def test_another_practices_coach_is_404(acme, globex):
    profile = bookable_coach(globex)
    response = get_slots(acme, profile.pk, start="2026-03-23", end="2026-03-27")
    assert response.status_code == 404
    assert response.json() == {"errors": {"coach": ["There is no such coach at this practice."]}, "code": "not_found"}


def test_an_unpublished_coach_is_404_like_an_unknown_one(acme):
    profile = bookable_coach(acme, is_published=False)
    unpublished = get_slots(acme, profile.pk, start="2026-03-23", end="2026-03-27")
    unknown = get_slots(acme, profile.pk + 1000, start="2026-03-23", end="2026-03-27")
    assert unpublished.status_code == unknown.status_code == 404
    assert unpublished.json() == unknown.json()


def test_an_id_beyond_any_integer_is_404(acme):
    response = get_slots(acme, 10**30, start="2026-03-23", end="2026-03-27")
    assert response.status_code == 404


def test_slots_take_as_many_queries_over_40_bookings_as_over_2(acme, django_assert_max_num_queries):
    profile = bookable_coach(acme, horizon_days=60)
    monday = datetime(2026, 3, 23, 13, 0, tzinfo=UTC)
    with practice_context(acme.practice):
        for day in range(2):
            _hold(profile=profile, kind=Booking.Kind.COACHING, starts_at=monday + timedelta(days=day))
    with CaptureQueriesContext(connection) as few:
        get_slots(acme, profile.pk, start="2026-03-20", end="2026-05-19")
    with practice_context(acme.practice):
        for day in range(2, 40):
            _hold(profile=profile, kind=Booking.Kind.COACHING, starts_at=monday + timedelta(days=day))
    with django_assert_max_num_queries(len(few)):
        response = get_slots(acme, profile.pk, start="2026-03-20", end="2026-05-19")
    assert "2026-03-24T13:00:00+00:00" not in response.json()["slots"]
    assert "2026-03-24T12:30:00+00:00" in response.json()["slots"]
