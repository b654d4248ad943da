"""A coach's secret calendar feed: every active booking from a month ago on, nothing else."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from coachhub.roster import services
from coachhub.roster.models import Booking
from coachhub.tenancy.models import AuditEntry
from engagements.models import ContractingSession
from tests.conftest import client_at, make_user, publish_coach
from tests.roster.conftest import at, booking, carried, chemistry_call, end_coach_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(acme, in_practice):
    with in_practice(acme):
        return publish_coach(acme.coach, weekdays=range(7), hours=(0, 23))


def feed_url(profile) -> str:
    return f"/roster/calendar/{profile.calendar_token}.ics"


def fetch(cast, profile):
    return Client(HTTP_HOST=cast.host).get(feed_url(profile))


def events(response) -> dict[str, dict]:
    calendar = Calendar.from_ical(response.content)
    return {
        str(event["uid"]): {
            "summary": str(event["summary"]), "sequence": int(event["sequence"]),
            "start": event.decoded("dtstart"), "location": str(event.get("location", "")),
        }
        for event in calendar.walk("VEVENT")
    }


def test_the_feed_is_a_calendar_of_the_coachs_bookings(acme, in_practice, profile):
    with in_practice(acme):
        call = chemistry_call(profile, acme.coachee, at(3, 9))
        session = booking(profile, at(5, 14))
    response = fetch(acme, profile)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    found = events(response)
    assert set(found) == {f"chemistry-call-{call.pk}@{settings.BASE_DOMAIN}", f"booking-{session.pk}@{settings.BASE_DOMAIN}"}
    chemistry = found[call.ics_uid]
    assert chemistry["summary"] == f"Chemistry call with {acme.coachee}"
    assert chemistry["start"] == at(3, 9) and chemistry["location"] == "https://video.example/room"
    assert found[f"booking-{session.pk}@{settings.BASE_DOMAIN}"]["summary"] == "Coaching session"


def test_a_contracting_session_shows_under_its_invites_uid_with_the_leader(acme, in_practice, profile):
    """As its emailed invite names it, so a per-meeting video link is the same in both."""
    with in_practice(acme):
        engagement = carried(acme.coach, acme.coachee)
        session = ContractingSession.objects.create(
            engagement=engagement, booking=booking(profile, at(4, 10), Booking.Kind.CONTRACTING), ics_sequence=1,
        )
    found = events(fetch(acme, profile))
    assert list(found) == [session.ics_uid]
    assert found[session.ics_uid]["summary"] == f"Contracting session with {acme.coachee}"
    assert found[session.ics_uid]["sequence"] == 1


def test_a_moved_chemistry_call_keeps_its_uid_with_a_higher_sequence(acme, in_practice, profile):
    with in_practice(acme):
        call = chemistry_call(profile, acme.coachee, at(3, 9))
        call.booking.is_active = False
        call.booking.save()
        call.booking = booking(profile, at(4, 9), "chemistry_call")
        call.ics_sequence = 2
        call.save()
    found = events(fetch(acme, profile))
    assert list(found) == [call.ics_uid]
    assert found[call.ics_uid]["sequence"] == 2 and found[call.ics_uid]["start"] == at(4, 9)


def test_cancelled_bookings_old_bookings_and_other_coaches_are_left_out(acme, in_practice, profile):
    with in_practice(acme):
        recent = booking(profile, at(-10))
        booking(profile, at(-40))
        cancelled = booking(profile, at(6))
        cancelled.is_active = False
        cancelled.save()
        booking(publish_coach(acme.coach2), at(6))
    assert list(events(fetch(acme, profile))) == [f"booking-{recent.pk}@{settings.BASE_DOMAIN}"]


def test_the_leaders_objectives_stay_out_of_the_feed(acme, in_practice, profile):
    with in_practice(acme):
        call = chemistry_call(profile, acme.coachee, at(3, 9))
        call.engagement.objectives = "A confidential restructuring."
        call.engagement.save()
    assert b"confidential" not in fetch(acme, profile).content


def test_an_unknown_token_is_404(acme, profile):
    assert Client(HTTP_HOST=acme.host).get("/roster/calendar/not-a-token.ics").status_code == 404


def test_another_practices_token_is_404_on_this_host(acme, globex, in_practice):
    with in_practice(globex):
        theirs = publish_coach(globex.coach)
    assert fetch(acme, theirs).status_code == 404
    assert fetch(globex, theirs).status_code == 200


def test_the_feed_stops_when_the_coach_role_ends(acme, in_practice, profile):
    with in_practice(acme):
        end_coach_role(acme.coach)
    assert fetch(acme, profile).status_code == 404


def test_resetting_the_link_retires_the_old_one(acme, in_practice, profile):
    old = feed_url(profile)
    response = client_at(acme, acme.coach).post("/roster/me/calendar/reset/")
    assert response.status_code == 302 and response["Location"].endswith("#calendar-feed")
    with in_practice(acme):
        profile.refresh_from_db()
        assert AuditEntry.objects.filter(action="coach_calendar.reset", actor=acme.coach).exists()
    assert Client(HTTP_HOST=acme.host).get(old).status_code == 404
    assert fetch(acme, profile).status_code == 200


def test_only_a_coach_resets_their_own_link(acme, in_practice, profile):
    assert client_at(acme, acme.admin).post("/roster/me/calendar/reset/").status_code == 404
    token = profile.calendar_token
    with in_practice(acme):
        profile.refresh_from_db()
    assert profile.calendar_token == token


def test_the_feed_costs_the_same_queries_for_one_booking_or_twenty(acme, in_practice, profile, django_assert_max_num_queries):
    with in_practice(acme):
        chemistry_call(profile, acme.coachee, at(1, 9))
    with CaptureQueriesContext(connection) as one:
        assert fetch(acme, profile).status_code == 200
    with in_practice(acme):
        for day in range(2, 12):
            chemistry_call(profile, make_user(f"leader{day}@example.test"), at(day, 9))
            booking(profile, at(day, 14))
    with django_assert_max_num_queries(len(one)):
        response = fetch(acme, profile)
    assert len(events(response)) == 21


def test_the_service_makes_a_new_token(acme, in_practice, profile):
    with in_practice(acme):
        before = profile.calendar_token
        after = services.reset_calendar_token(profile=profile, actor=acme.coach).calendar_token
    assert after != before and len(after) >= 32


def test_only_the_last_thirty_days_of_history_are_listed(acme, in_practice, profile):
    with in_practice(acme):
        booking(profile, at(-29))
        booking(profile, at(-31))
    assert [e["start"] for e in events(fetch(acme, profile)).values()] == [at(-29)]
    assert at(-29) > at(0) - timedelta(days=30)
