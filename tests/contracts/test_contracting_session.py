"""The coach books the contracting session with the same slot engine as chemistry calls."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from engagements.contracting import sessions
from coachhub.roster.models import Booking
from engagements.models import ContractingSession
from coachhub.roster.slots import free_slots
from engagements.services import BookingRefused
from tests.conftest import client_at, publish_coach
from tests.contracts.conftest import matched_engagement

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


@pytest.fixture
def profile(acme, in_practice):
    with in_practice(acme):
        return publish_coach(acme.coach, weekdays=range(7))


def session_slots(acme, profile, count=2):
    today = timezone.now().date()
    with practice_context(acme.practice):
        return free_slots(profile, first_day=today, last_day=today + timedelta(days=7), zone=UTC,
                          minutes=ContractingSession.MINUTES)[:count]


def test_the_page_offers_hour_long_slots_in_the_coachs_free_time(acme, engagement, profile):
    page = client_at(acme, acme.coach).get(f"/engagements/{engagement.pk}/contracting-session/").content.decode()
    first, second = session_slots(acme, profile)
    assert second - first == timedelta(minutes=60)
    assert 'name="start"' in page and "60-minute meeting" in page


def test_booking_holds_the_coachs_time_and_sends_both_an_invitation(acme, engagement, profile, mailoutbox, committed, in_practice):
    start = session_slots(acme, profile)[0]
    with committed():
        response = client_at(acme, acme.coach).post(
            f"/engagements/{engagement.pk}/contracting-session/", {"start": start.isoformat()}
        )
    assert response.status_code == 302 and response["Location"] == f"/engagements/{engagement.pk}/contract/"
    with in_practice(acme):
        session = ContractingSession.objects.select_related("booking").get()
        assert session.booking.kind == "contracting" and session.booking.starts_at == start
        assert session.booking.ends_at - start == timedelta(minutes=60)
        assert start not in session_slots(acme, profile, count=50)
    invites = {m.to[0]: m for m in mailoutbox if m.subject.startswith("Contracting session booked")}
    assert set(invites) == {acme.coach.email, acme.coachee2.email}
    ics = next(content for name, content, mime in invites[acme.coachee2.email].attachments)
    assert "METHOD:REQUEST" in ics and f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in ics


def test_booking_again_moves_the_session_and_frees_the_old_time(acme, engagement, profile, in_practice):
    first, second = session_slots(acme, profile)
    with in_practice(acme):
        sessions.book_contracting_session(engagement=engagement, coach=acme.coach, starts_at=first, base_url="")
        session = sessions.book_contracting_session(engagement=engagement, coach=acme.coach, starts_at=second, base_url="")
        assert session.ics_sequence == 1 and ContractingSession.objects.count() == 1
        assert list(Booking.objects.filter(is_active=True).values_list("starts_at", flat=True)) == [second]


def test_a_time_that_is_not_free_is_refused_next_to_the_picker(acme, engagement, profile, in_practice):
    start = session_slots(acme, profile)[0]
    response = client_at(acme, acme.coach).post(
        f"/engagements/{engagement.pk}/contracting-session/", {"start": (start + timedelta(minutes=7)).isoformat()}
    )
    assert response.status_code == 422 and "not one of your free times" in response.content.decode()
    with in_practice(acme):
        assert not Booking.objects.exists()


def test_a_time_taken_by_another_booking_is_refused(acme, engagement, profile, in_practice):
    start = session_slots(acme, profile)[0]
    other = matched_engagement(acme, coachee=acme.coachee)
    with in_practice(acme):
        sessions.book_contracting_session(engagement=other, coach=acme.coach, starts_at=start, base_url="")
        with pytest.raises(BookingRefused, match="not one of your free times"):
            sessions.book_contracting_session(engagement=engagement, coach=acme.coach, starts_at=start, base_url="")


def test_only_the_engagements_coach_books_it(acme, engagement, profile):
    for user in (acme.coach2, acme.coachee2, acme.admin, acme.sponsor):
        assert client_at(acme, user).get(f"/engagements/{engagement.pk}/contracting-session/").status_code == 404


def test_a_missing_start_is_explained(acme, engagement, profile):
    response = client_at(acme, acme.coach).post(f"/engagements/{engagement.pk}/contracting-session/", {})
    assert "Choose a time for the session." in response.content.decode()
