"""A coach sets weekly hours, dates off and booking rules; mistakes are explained, never a 500."""

from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachhub.roster import selectors, services
from coachhub.roster.models import CoachProfile, TimeOff, WeeklyHours
from coachhub.tenancy.models import AuditEntry
from tests.conftest import client_at, publish_coach
from tests.roster.conftest import at, booking

pytestmark = pytest.mark.django_db

PAGE = "/roster/me/availability/"
HOURS, TIME_OFF, RULES = f"{PAGE}hours/", f"{PAGE}time-off/", f"{PAGE}rules/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def profile(acme, in_practice) -> CoachProfile:
    with in_practice(acme):
        return services.profile_for_coach(user=acme.coach)


def windows(cast, in_practice) -> list[str]:
    with in_practice(cast):
        return [str(w) for w in WeeklyHours.objects.filter(coach__user=cast.coach)]


def coach_today(cast, in_practice, profile) -> date:
    with in_practice(cast):
        return selectors.coach_today(profile)


def test_a_coach_adds_weekly_hours(acme, in_practice, profile):
    response = client_at(acme, acme.coach).post(HOURS, {"weekday": "0", "starts_at": "09:00", "ends_at": "12:30"})
    assert response.status_code == 302 and response["Location"] == f"{PAGE}#weekly-hours"
    assert windows(acme, in_practice) == ["Monday 09:00–12:30"]
    with in_practice(acme):
        assert AuditEntry.objects.filter(action="coach_hours.added", actor=acme.coach).exists()


def test_with_htmx_only_the_weekly_hours_and_the_preview_come_back(acme, in_practice, profile):
    response = client_at(acme, acme.coach).post(HOURS, {"weekday": "2", "starts_at": "09:00", "ends_at": "10:00"}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="weekly-hours"' in page and 'id="slot-preview" aria-labelledby="slot-preview-title" aria-live="polite" hx-swap-oob="true"' in page
    assert "<html" not in page and 'id="time-off"' not in page
    assert "Added Wednesday 09:00–10:00." in page


def test_a_window_must_end_after_it_starts(acme, in_practice, profile):
    response = client_at(acme, acme.coach).post(HOURS, {"weekday": "0", "starts_at": "12:00", "ends_at": "09:00"})
    assert response.status_code == 422
    assert response.context["hours_form"].errors["ends_at"] == ["The window must end after it starts."]
    assert 'That change is not saved yet: please see <a href="#weekly-hours">' in response.content.decode()
    assert windows(acme, in_practice) == []


def test_windows_on_the_same_day_cannot_overlap(acme, in_practice, profile):
    client = client_at(acme, acme.coach)
    client.post(HOURS, {"weekday": "0", "starts_at": "09:00", "ends_at": "12:00"})
    response = client.post(HOURS, {"weekday": "0", "starts_at": "11:00", "ends_at": "14:00"}, **HTMX)
    assert "This overlaps your hours on Monday 09:00–12:00" in response.content.decode()
    assert windows(acme, in_practice) == ["Monday 09:00–12:00"]


def test_back_to_back_windows_and_other_days_are_fine(acme, in_practice, profile):
    client = client_at(acme, acme.coach)
    client.post(HOURS, {"weekday": "0", "starts_at": "09:00", "ends_at": "12:00"})
    client.post(HOURS, {"weekday": "0", "starts_at": "12:00", "ends_at": "17:00"})
    client.post(HOURS, {"weekday": "1", "starts_at": "10:00", "ends_at": "11:00"})
    assert windows(acme, in_practice) == ["Monday 09:00–12:00", "Monday 12:00–17:00", "Tuesday 10:00–11:00"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"weekday": "7", "starts_at": "09:00", "ends_at": "10:00"}, "weekday"),
        ({"weekday": "monday", "starts_at": "09:00", "ends_at": "10:00"}, "weekday"),
        ({"weekday": "0", "starts_at": "25:00", "ends_at": "26:00"}, "starts_at"),
        ({"weekday": "0", "starts_at": "", "ends_at": "10:00"}, "starts_at"),
        ({}, "ends_at"),
    ],
)
def test_malformed_hours_are_explained(acme, in_practice, profile, data, field):
    response = client_at(acme, acme.coach).post(HOURS, data)
    assert response.status_code == 422
    assert response.context["hours_form"].errors[field]
    assert windows(acme, in_practice) == []


def test_a_coach_removes_a_window(acme, in_practice, profile):
    with in_practice(acme):
        window = WeeklyHours.objects.create(coach=profile, weekday=0, starts_at=time(9), ends_at=time(12))
    response = client_at(acme, acme.coach).post(f"{HOURS}{window.pk}/remove/", **HTMX)
    assert "Removed Monday 09:00–12:00." in response.content.decode()
    assert windows(acme, in_practice) == []


def test_another_coachs_window_cannot_be_removed(acme, in_practice, profile):
    with in_practice(acme):
        other = publish_coach(acme.coach2)
        window = other.weekly_hours.first()
    assert client_at(acme, acme.coach).post(f"{HOURS}{window.pk}/remove/").status_code == 404
    with in_practice(acme):
        assert other.weekly_hours.filter(pk=window.pk).exists()


def test_a_coach_adds_dates_off(acme, in_practice, profile):
    today = coach_today(acme, in_practice, profile)
    response = client_at(acme, acme.coach).post(TIME_OFF, {
        "first_day": (today + timedelta(days=7)).isoformat(), "last_day": (today + timedelta(days=9)).isoformat(),
        "note": "  Summer holiday ",
    })
    assert response.status_code == 302
    with in_practice(acme):
        period = TimeOff.objects.get(coach=profile)
    assert (period.first_day, period.last_day, period.note) == (today + timedelta(days=7), today + timedelta(days=9), "Summer holiday")


def test_dates_off_the_wrong_way_round_are_refused(acme, in_practice, profile):
    today = coach_today(acme, in_practice, profile)
    response = client_at(acme, acme.coach).post(TIME_OFF, {
        "first_day": (today + timedelta(days=9)).isoformat(), "last_day": (today + timedelta(days=7)).isoformat(),
    })
    assert response.context["time_off_form"].errors["last_day"] == ["The last day cannot be before the first day."]
    with in_practice(acme):
        assert not TimeOff.objects.exists()


def test_dates_off_cannot_start_in_the_past(acme, in_practice, profile):
    today = coach_today(acme, in_practice, profile)
    response = client_at(acme, acme.coach).post(TIME_OFF, {
        "first_day": (today - timedelta(days=1)).isoformat(), "last_day": today.isoformat(),
    }, **HTMX)
    assert "Dates off cannot start in the past." in response.content.decode()
    with in_practice(acme):
        assert not TimeOff.objects.exists()


@pytest.mark.parametrize("first_day", ["31/02/2030", "2030-02-30", "99999-01-01", "x" * 5000])
def test_malformed_dates_off_are_explained(acme, in_practice, profile, first_day):
    response = client_at(acme, acme.coach).post(TIME_OFF, {"first_day": first_day, "last_day": "2030-03-01"})
    assert response.status_code == 422
    assert response.context["time_off_form"].errors["first_day"] == ["Enter a valid date."]


def test_a_coach_removes_dates_off_and_not_another_coachs(acme, in_practice, profile):
    day = coach_today(acme, in_practice, profile) + timedelta(days=3)
    with in_practice(acme):
        mine = TimeOff.objects.create(coach=profile, first_day=day, last_day=day)
        theirs = TimeOff.objects.create(coach=publish_coach(acme.coach2), first_day=day, last_day=day)
    client = client_at(acme, acme.coach)
    assert client.post(f"{TIME_OFF}{theirs.pk}/remove/").status_code == 404
    assert client.post(f"{TIME_OFF}{mine.pk}/remove/").status_code == 302
    with in_practice(acme):
        assert list(TimeOff.objects.all()) == [theirs]


def test_a_coach_saves_booking_rules(acme, in_practice, profile):
    response = client_at(acme, acme.coach).post(RULES, {
        "chemistry_call_minutes": "45", "minimum_notice_hours": "48", "buffer_minutes": "10", "horizon_days": "30",
    })
    assert response.status_code == 302
    with in_practice(acme):
        profile.refresh_from_db()
    assert (profile.chemistry_call_minutes, profile.minimum_notice_hours, profile.buffer_minutes, profile.horizon_days) == (45, 48, 10, 30)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("chemistry_call_minutes", "5", "greater than or equal to 15"),
        ("chemistry_call_minutes", "600", "less than or equal to 120"),
        ("horizon_days", "0", "greater than or equal to 1"),
        ("horizon_days", "400", "less than or equal to 365"),
        ("buffer_minutes", "-5", "greater than or equal to 0"),
        ("minimum_notice_hours", "999999999999", "less than or equal to"),
        ("minimum_notice_hours", "soon", "Enter a whole number"),
    ],
)
def test_booking_rules_out_of_range_are_explained_and_nothing_changes(acme, in_practice, profile, field, value, message):
    data = {"chemistry_call_minutes": "45", "minimum_notice_hours": "48", "buffer_minutes": "10", "horizon_days": "30"}
    response = client_at(acme, acme.coach).post(RULES, {**data, field: value})
    assert response.status_code == 422
    assert any(message in error for error in response.context["rules_form"].errors[field])
    with in_practice(acme):
        profile.refresh_from_db()
    assert profile.chemistry_call_minutes == 30 and profile.horizon_days == 60


def test_the_page_previews_the_next_free_times_in_the_coachs_zone(acme, in_practice):
    with in_practice(acme):
        profile = publish_coach(acme.coach, time_zone="Asia/Tokyo", weekdays=range(7), hours=(9, 10))
    page = client_at(acme, acme.coach).get(PAGE).content.decode()
    assert "Your next free times" in page and "in Asia/Tokyo" in page
    # Every previewed time is 09:00 or 09:30 in Tokyo (+09:00), whatever the viewer's own zone.
    assert page.count('<time datetime="') == 8
    assert page.count("+09:00") == 8 and (", 09:00</time>" in page or ", 09:30</time>" in page)
    assert profile.is_published


def test_a_booked_time_is_missing_from_the_preview(acme, in_practice):
    with in_practice(acme):
        profile = publish_coach(acme.coach, time_zone="UTC", weekdays=range(7), hours=(10, 11), minimum_notice_hours=0)
        booking(profile, at(2, 10))
        slots = selectors.slot_preview(profile)
    assert at(2, 10) not in slots and at(2, 10) + timedelta(minutes=30) in slots


def test_the_availability_page_costs_the_same_queries_however_full_the_calendar(acme, in_practice, django_assert_max_num_queries):
    with in_practice(acme):
        profile = publish_coach(acme.coach, weekdays=[0], hours=(9, 10))
    client = client_at(acme, acme.coach)
    with CaptureQueriesContext(connection) as small:
        client.get(PAGE)
    with in_practice(acme):
        for weekday in range(1, 7):
            WeeklyHours.objects.create(coach=profile, weekday=weekday, starts_at=time(8), ends_at=time(18))
        start = coach_today(acme, in_practice, profile) + timedelta(days=2)
        for n in range(10):
            TimeOff.objects.create(coach=profile, first_day=start + timedelta(days=n * 3), last_day=start + timedelta(days=n * 3))
            booking(profile, at(n + 1, 12))
    with django_assert_max_num_queries(len(small)):
        assert client.get(PAGE).status_code == 200


def test_the_page_shows_the_coachs_own_calendar_feed_link(acme, in_practice, profile):
    page = client_at(acme, acme.coach).get(PAGE).content.decode()
    assert f"http://{acme.host}/roster/calendar/{profile.calendar_token}.ics" in page
    assert f"webcal://{acme.host}/roster/calendar/{profile.calendar_token}.ics" in page
