"""Booking a chemistry call on the page, moving or cancelling it by link, outcomes and the match."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from coachhub.accounts.models import User
from coachhub.tenancy.viewers import Viewer
from coachhub.tenancy.context import practice_context
from engagements import services
from coachhub.roster.models import Booking
from engagements.models import ChemistryCall, Engagement
from coachhub.roster.slots import free_slots
from tests.conftest import client_at, publish_coach

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


def next_slots(profile, count=2):
    today = timezone.now().date()
    with practice_context(profile.practice):
        return free_slots(profile, first_day=today, last_day=today + timedelta(days=14), zone=UTC)[:count]


@pytest.fixture
def coaches(acme, in_practice):
    with in_practice(acme):
        return publish_coach(acme.coach, weekdays=range(7)), publish_coach(acme.coach2, weekdays=range(7), time_zone="America/New_York")


def book(cast, profile, start, email="leader@example.com", **extra):
    return Client(HTTP_HOST=cast.host).post(f"/coaches/{profile.pk}/", {
        "start": start.isoformat(), "tz": "Europe/London", "name": "Lee Leader", "email": email,
        "objectives": "Lead my team through a merger.", **extra,
    })


def test_the_directory_lists_published_coaches_only(acme, coaches, in_practice):
    with in_practice(acme):
        profile = coaches[1]
        profile.is_published = False
        profile.save()
    page = Client(HTTP_HOST=acme.host).get("/coaches/").content.decode()
    assert str(acme.coach) in page and str(acme.coach2) not in page
    assert Client(HTTP_HOST=acme.host).get(f"/coaches/{profile.pk}/").status_code == 404


def test_a_coach_of_another_practice_is_404(acme, globex, coaches, in_practice):
    with in_practice(globex):
        other = publish_coach(globex.coach)
    assert Client(HTTP_HOST=acme.host).get(f"/coaches/{other.pk}/").status_code == 404


def test_leader_books_on_the_page_and_both_get_an_email_with_an_invite(acme, coaches, mailoutbox, committed, in_practice):
    start = next_slots(coaches[0])[0]
    with committed():
        response = book(acme, coaches[0], start)
    assert response.status_code == 302 and response["Location"] == "/chemistry-calls/booked/"
    leader = User.objects.get(email="leader@example.com")
    with in_practice(acme):
        call = ChemistryCall.objects.get()
        assert call.engagement.coachee == leader and call.booking.starts_at == start
    recipients = {m.to[0]: m for m in mailoutbox if m.subject.startswith("Chemistry call")}
    assert {"leader@example.com", acme.coach.email} <= set(recipients)
    assert any("Confirm" in m.subject for m in mailoutbox if m.to == ["leader@example.com"])
    invite = recipients["leader@example.com"]
    ics = next(content for name, content, mime in invite.attachments if name.endswith(".ics"))
    assert "METHOD:REQUEST" in ics and "SEQUENCE:0" in ics and f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in ics
    assert "LOCATION:https://video.example/room" in ics
    assert "/chemistry-calls/manage/" in invite.body
    assert "Lead my team through a merger." in recipients[acme.coach.email].body


def test_bad_booking_input_is_explained_and_nothing_is_booked(acme, coaches, in_practice):
    start = next_slots(coaches[0])[0]
    response = book(acme, coaches[0], start, email="not-an-email", objectives="")
    assert response.status_code == 422
    content = response.content.decode()
    assert "Enter a valid email address" in content and "This field is required" in content
    misaligned = book(acme, coaches[0], start + timedelta(minutes=7))
    assert "no longer free" in misaligned.content.decode()
    with in_practice(acme):
        assert not Booking.objects.exists() and not Engagement.objects.exists()


def test_a_leader_can_book_up_to_the_practice_limit(acme, coaches, in_practice):
    acme.practice.max_chemistry_calls = 1
    acme.practice.save()
    book(acme, coaches[0], next_slots(coaches[0])[0])
    response = book(acme, coaches[1], next_slots(coaches[1])[0])
    assert "calls with 1 coach (the most we offer)" in response.content.decode()


def test_the_same_slot_cannot_be_booked_twice(acme, coaches, in_practice):
    start = next_slots(coaches[0])[0]
    book(acme, coaches[0], start)
    response = book(acme, coaches[0], start, email="second@example.com")
    assert response.status_code == 422
    assert "no longer free" in response.content.decode() or "just been taken" in response.content.decode()


def manage_path(mailoutbox, email):
    message = [m for m in mailoutbox if m.to == [email] and m.subject.startswith("Chemistry call")][-1]
    return re.search(r"https?://[^/\s]+(/chemistry-calls/manage/[^/\s]+/)", message.body).group(1)


def test_reschedule_by_link_updates_the_same_event_and_replaces_the_link(acme, coaches, mailoutbox, committed, in_practice):
    first, second = next_slots(coaches[0])
    with committed():
        book(acme, coaches[0], first)
    path = manage_path(mailoutbox, "leader@example.com")
    client = Client(HTTP_HOST=acme.host)
    assert client.get(path).status_code == 200
    with committed():
        response = client.post(path, {"action": "reschedule", "start": second.isoformat()})
    assert response.status_code == 302
    with in_practice(acme):
        call = ChemistryCall.objects.get()
        assert call.booking.starts_at == second and call.ics_sequence == 1
        assert Booking.objects.filter(is_active=True).count() == 1
    ics = next(c for n, c, m in mailoutbox[-1].attachments)
    assert f"UID:{call.ics_uid}" in ics and "SEQUENCE:1" in ics
    assert client.get(path).status_code == 404  # the old link no longer works
    assert client.get(manage_path(mailoutbox, "leader@example.com")).status_code == 200


def test_cancel_by_link_frees_the_slot_and_sends_a_cancellation(acme, coaches, mailoutbox, committed, in_practice):
    start = next_slots(coaches[0])[0]
    with committed():
        book(acme, coaches[0], start)
    path = manage_path(mailoutbox, "leader@example.com")
    with committed():
        Client(HTTP_HOST=acme.host).post(path, {"action": "cancel"})
    with in_practice(acme):
        assert ChemistryCall.objects.get().status == "cancelled"
        assert start in next_slots(coaches[0], count=50)
    ics = next(c for n, c, m in mailoutbox[-1].attachments)
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics


def test_a_forged_manage_link_is_404(acme):
    assert Client(HTTP_HOST=acme.host).get("/chemistry-calls/manage/forged/").status_code == 404


def past_call(cast, coach_user, leader, hours_ago=2):
    """A call that has happened (made directly: the slot engine never offers the past)."""
    start = timezone.now().replace(microsecond=0) - timedelta(hours=hours_ago)
    from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

    engagement = Engagement.objects.filter(coachee=leader, stage="chemistry").first() or Engagement.objects.create(
        coachee=leader, objectives="Grow as a leader."
    )
    booking = Booking.objects.create(
        coach=coach_user, kind="chemistry_call", starts_at=start, ends_at=start + timedelta(minutes=30),
        blocked=DateTimeTZRange(start, start + timedelta(minutes=30), "[)"),
    )
    _, digest = ChemistryCall.new_manage_token()
    return ChemistryCall.objects.create(engagement=engagement, coach=coach_user, booking=booking, manage_token_digest=digest)


def test_match_when_the_chosen_coach_said_yes(acme, coaches, mailoutbox, committed, in_practice):
    with in_practice(acme):
        first = past_call(acme, acme.coach, acme.coachee)
        second = past_call(acme, acme.coach2, acme.coachee, hours_ago=5)
    coach_client = client_at(acme, acme.coach)
    assert coach_client.post(f"/chemistry-calls/{first.pk}/outcome/", {"outcome": "yes", "notes": "Good fit."}).status_code == 302
    with committed():
        response = client_at(acme, acme.coachee).post("/my/choose-coach/", {"coach": acme.coach.pk})
    assert response.status_code == 302
    with in_practice(acme):
        engagement = Engagement.objects.get()
        assert engagement.stage == "contracting" and engagement.coach == acme.coach
        second.refresh_from_db()
        assert second.status == "closed"
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert "chosen to work with you" in subjects[acme.coach.email]
    assert subjects[acme.coach2.email].startswith("Acme Coaching") is False and "Thank you for meeting" in subjects[acme.coach2.email]


def test_no_match_while_the_chosen_coach_has_not_said_yes(acme, coaches, in_practice):
    with in_practice(acme):
        call = past_call(acme, acme.coach, acme.coachee)
        services.record_chemistry_outcome(call=call, coach=acme.coach, outcome="no", notes="")
        services.record_preference(engagement=call.engagement, coachee=acme.coachee, coach_id=acme.coach.pk)
        assert Engagement.objects.get().stage == "chemistry"


def test_a_coach_cannot_record_the_outcome_of_another_coachs_call(acme, coaches, in_practice):
    with in_practice(acme):
        call = past_call(acme, acme.coach, acme.coachee)
    assert client_at(acme, acme.coach2).get(f"/chemistry-calls/{call.pk}/outcome/").status_code == 404
    assert client_at(acme, acme.coachee2).get(f"/chemistry-calls/{call.pk}/").status_code == 404


def test_an_outcome_before_the_call_is_refused_clearly(acme, coaches, in_practice):
    with in_practice(acme):
        call, _ = services.book_chemistry_call(
            profile=coaches[0], starts_at=next_slots(coaches[0])[0], name="L", email="l@example.com",
            objectives="x", time_zone="UTC", base_url="http://acme.localhost",
        )
    response = client_at(acme, acme.coach).post(f"/chemistry-calls/{call.pk}/outcome/", {"outcome": "yes"})
    assert response.status_code == 422 and b"once the call has taken place" in response.content


def test_admin_sees_every_call_and_reassigns_one(acme, coaches, mailoutbox, committed, in_practice):
    start = next_slots(coaches[0])[0]
    book(acme, coaches[0], start)
    admin = client_at(acme, acme.admin)
    assert "Lee Leader" in admin.get("/practice/chemistry-calls/").content.decode()
    with in_practice(acme):
        call = ChemistryCall.objects.get()
    new_start = next_slots(coaches[1])[0]
    with committed():
        response = admin.post(f"/practice/chemistry-calls/{call.pk}/reassign/", {"coach": coaches[1].pk, "start": new_start.isoformat()})
    assert response.status_code == 302
    with in_practice(acme):
        call.refresh_from_db()
        assert call.coach == acme.coach2 and call.booking.starts_at == new_start
    assert acme.coach.email in {m.to[0] for m in mailoutbox}


def test_only_admins_see_the_call_list(acme):
    for role in ("coach", "coachee", "sponsor"):
        assert client_at(acme, getattr(acme, role)).get("/practice/chemistry-calls/").status_code == 404


def test_the_coach_home_lists_calls_to_come_and_calls_awaiting_an_outcome_from_one_query(acme, coaches, in_practice):
    """Ahead: upcoming only. Under way: both. Over without an outcome: awaiting only. Over with an
    outcome, another coach's, or cancelled: neither."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from engagements.selectors import coach_calls

    with in_practice(acme):
        ahead = past_call(acme, acme.coach, acme.coachee, hours_ago=-3)
        under_way = past_call(acme, acme.coach, acme.coachee2, hours_ago=0.25)
        awaiting = past_call(acme, acme.coach, acme.admin, hours_ago=5)
        answered = past_call(acme, acme.coach, acme.sponsor, hours_ago=6)
        services.record_chemistry_outcome(call=answered, coach=acme.coach, outcome="yes", notes="")
        past_call(acme, acme.coach2, acme.coachee, hours_ago=4)
        cancelled = past_call(acme, acme.coach, acme.coach2, hours_ago=-5)
        ChemistryCall.objects.filter(pk=cancelled.pk).update(status=ChemistryCall.Status.CANCELLED)
        coach = Viewer.of(acme.coach)
        with CaptureQueriesContext(connection) as queries:
            upcoming, awaiting_outcome = coach_calls(coach)
    assert len(queries) == 1
    assert [call.pk for call in upcoming] == [under_way.pk, ahead.pk]
    assert [call.pk for call in awaiting_outcome] == [awaiting.pk, under_way.pk]
