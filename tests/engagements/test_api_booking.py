"""POST /api/v1/chemistry-calls: a leader books a chemistry call from the practice's website."""

import json
import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import resolve

from coachhub.accounts.models import User
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import AuditEntry, Membership, Role
from engagements import services
from coachhub.roster.models import Booking
from engagements.models import ChemistryCall, Engagement
from tests.engagements.test_api_support import (  # noqa: F401
    SLOT,
    UTC,
    api,
    bookable_coach,
    booking,
    frozen_now,
    new_coach,
    post_booking,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def errors(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()["errors"]


def rows(cast) -> dict:
    """How many of each row the booking journey writes exist in the practice."""
    with practice_context(cast.practice):
        return {
            "users": User.objects.count(),
            "memberships": Membership.objects.count(),
            "engagements": Engagement.objects.count(),
            "calls": ChemistryCall.objects.count(),
            "bookings": Booking.objects.count(),
            "audit": AuditEntry.objects.count(),
        }


# --- Booked --------------------------------------------------------------------------------------

def test_booking_answers_201_with_the_call_in_the_leaders_zone(acme):
    profile = bookable_coach(acme)
    response = post_booking(acme, booking(profile, tz="America/New_York"))
    assert response.status_code == 201
    with practice_context(acme.practice):
        call = ChemistryCall.objects.get()
    assert response.json() == {
        "id": call.pk, "coach": profile.pk, "start": "2026-03-23T05:00:00-04:00",
        "end": "2026-03-23T05:30:00-04:00", "tz": "America/New_York", "status": "booked",
    }


def test_booking_creates_the_leaders_account_role_enquiry_call_and_booking(acme):
    profile = bookable_coach(acme)
    assert post_booking(acme, booking(profile, email="Grace@Example.com", hopes="A 100-day plan.")).status_code == 201
    with practice_context(acme.practice):
        leader = User.objects.get(email="grace@example.com")
        call = ChemistryCall.objects.select_related("booking", "engagement").get()
        assert Membership.objects.filter(user=leader, role=Role.COACHEE, is_active=True).exists()
    assert (leader.full_name, leader.time_zone, leader.has_usable_password()) == ("Grace Hopper", "Europe/London", False)
    assert call.engagement.coachee == leader
    assert call.engagement.stage == Engagement.Stage.CHEMISTRY
    assert call.engagement.objectives == "Lead the newly merged platform team well."
    assert call.engagement.hopes == "A 100-day plan."
    assert call.coach == acme.coach
    assert call.booking.is_active and call.booking.starts_at == datetime(2026, 3, 23, 9, 0, tzinfo=UTC)


def test_an_existing_account_books_without_a_new_one(acme):
    profile = bookable_coach(acme)
    before = rows(acme)
    assert post_booking(acme, booking(profile, email=acme.coachee.email)).status_code == 201
    after = rows(acme)
    assert after["users"] == before["users"]
    assert after["memberships"] == before["memberships"]
    assert after["calls"] == before["calls"] + 1


def test_leader_and_coach_each_get_an_email_with_the_calendar_invite(acme, committed, mailoutbox):
    profile = bookable_coach(acme)
    with committed():
        post_booking(acme, booking(profile))
    invites = {message.to[0]: message for message in mailoutbox if message.attachments}
    assert set(invites) == {"grace@example.com", acme.coach.email}
    for message in invites.values():
        [(filename, _content, mimetype)] = message.attachments
        assert filename == "chemistry-call.ics"
        assert mimetype.startswith("text/calendar") and "method=REQUEST" in mimetype
    assert "Monday 23 March 2026, 09:00 GMT (Europe/London)" in invites["grace@example.com"].body
    assert "Lead the newly merged platform team well." in invites[acme.coach.email].body


def test_the_invite_has_one_uid_sequence_0_utc_times_and_the_video_link(acme, committed, mailoutbox):
    profile = bookable_coach(acme)
    with committed():
        call_id = post_booking(acme, booking(profile, tz="Asia/Tokyo")).json()["id"]
    ics = {message.attachments[0][1] for message in mailoutbox if message.attachments}
    assert len(ics) == 1  # leader and coach get the very same event
    [invite] = ics
    lines = invite.replace("\r\n ", "").splitlines()
    assert "METHOD:REQUEST" in lines
    assert f"UID:chemistry-call-{call_id}@localhost" in lines
    assert "SEQUENCE:0" in lines
    assert "DTSTART:20260323T090000Z" in lines
    assert "DTEND:20260323T093000Z" in lines
    assert "LOCATION:https://video.example/room" in lines


def test_a_new_leader_is_asked_to_confirm_their_email_but_can_reach_the_booking_without(acme, committed, mailoutbox):
    profile = bookable_coach(acme)
    with committed():
        post_booking(acme, booking(profile))
    to_leader = [message for message in mailoutbox if message.to == ["grace@example.com"]]
    assert len(to_leader) == 2
    confirmation = next(message for message in to_leader if not message.attachments)
    assert "Confirm" in confirmation.subject
    assert "http://acme.localhost/accounts/confirm-email/" in confirmation.body
    assert not EmailAddress.objects.get(email="grace@example.com").verified
    # The booking email's own link (no sign-in, no confirmation needed) manages the call.
    invite = next(message for message in to_leader if message.attachments)
    links = re.findall(r"http://acme\.localhost/\S+", invite.body)
    assert any(resolve(urlsplit(link).path).url_name == "manage_chemistry_call" for link in links), invite.body


def test_a_known_leader_gets_no_confirmation_email(acme, committed, mailoutbox):
    profile = bookable_coach(acme)
    with committed():
        post_booking(acme, booking(profile, email=acme.coachee.email))
    assert sorted(message.to[0] for message in mailoutbox) == sorted([acme.coachee.email, acme.coach.email])


def test_the_answer_never_contains_the_manage_link(acme, committed, mailoutbox):
    profile = bookable_coach(acme)
    with committed():
        response = post_booking(acme, booking(profile))
    assert "manage_url" not in response.json()
    invite = next(message for message in mailoutbox if message.to == ["grace@example.com"] and message.attachments)
    for link in re.findall(r"http://acme\.localhost(/\S+)", invite.body):
        assert link.encode() not in response.content


# --- Unreadable or invalid input -------------------------------------------------------------------

@pytest.mark.parametrize(
    "body", ["{not json", "", '{"coach": 1,}', b"\xff\xfe{}"], ids=["broken", "empty", "trailing-comma", "not-utf8"]
)
def test_a_body_that_is_not_json_is_400(acme, body):
    profile = bookable_coach(acme)
    before = rows(acme)
    assert list(errors(post_booking(acme, body), 400)) == ["__all__"]
    assert rows(acme) == before and profile


@pytest.mark.parametrize("body", ["[1, 2]", '"a string"', "null", "42"])
def test_a_body_that_is_not_a_json_object_is_400(acme, body):
    assert list(errors(post_booking(acme, body), 400)) == ["__all__"]


def test_a_body_over_the_upload_limit_is_413(acme, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    profile = bookable_coach(acme)
    assert list(errors(post_booking(acme, booking(profile, objectives="x" * 2000)), 413)) == ["__all__"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": None}, "email"),
        ({"email": "a" * 250 + "@example.com"}, "email"),
        ({"objectives": ""}, "objectives"),
        ({"objectives": "   \n  "}, "objectives"),
        ({"objectives": "x" * 5001}, "objectives"),
        ({"objectives": "x" * 100_000}, "objectives"),
        ({"objectives": ["a", "list"]}, "objectives"),
        ({"hopes": "x" * 5001}, "hopes"),
        ({"name": None}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"name": "Nul\x00byte"}, "name"),
        ({"start": "2026-03-23T09:00:00"}, "start"),
        ({"start": "2026-03-23"}, "start"),
        ({"start": "next Monday at nine"}, "start"),
        ({"start": 1774256400}, "start"),
        ({"start": "2026-03-20T11:30:00+00:00"}, "start"),
        ({"start": "2027-03-24T09:00:00+00:00"}, "start"),
        ({"start": None}, "start"),
        ({"tz": "Mars/Olympus_Mons"}, "tz"),
        ({"tz": 5}, "tz"),
        ({"coach": "seven"}, "coach"),
        ({"coach": True}, "coach"),
        ({"coach": -1}, "coach"),
        ({"coach": None}, "coach"),
    ],
    ids=[
        "email-invalid", "email-missing", "email-too-long", "objectives-empty", "objectives-blank",
        "objectives-5001", "objectives-100kB", "objectives-not-text", "hopes-too-long", "name-missing",
        "name-151", "name-nul", "start-no-offset", "start-date-only", "start-not-iso", "start-a-number",
        "start-past", "start-beyond-any-horizon", "start-missing", "tz-unknown", "tz-not-text",
        "coach-not-a-number", "coach-boolean", "coach-negative", "coach-missing",
    ],
)
def test_each_invalid_field_is_422_with_its_own_message(acme, changes, field):
    profile = bookable_coach(acme)
    before = rows(acme)
    body = errors(post_booking(acme, booking(profile, **changes)), 422)
    assert list(body) == [field]
    assert body[field] and all(isinstance(message, str) and message for message in body[field])
    assert rows(acme) == before


def test_every_invalid_field_is_reported_at_once(acme):
    profile = bookable_coach(acme)
    body = errors(post_booking(acme, booking(profile, email="nope", objectives="", name=None)), 422)
    assert set(body) == {"email", "objectives", "name"}
    assert body["objectives"] == ["Tell the coach what you would like to work on."]


def test_the_zone_defaults_to_the_practices(acme):
    profile = bookable_coach(acme)
    response = post_booking(acme, booking(profile, tz=None))
    assert response.status_code == 201
    assert response.json()["tz"] == "Europe/London"


def test_a_start_in_any_offset_names_the_same_instant(acme):
    profile = bookable_coach(acme)
    assert post_booking(acme, booking(profile, start="2026-03-23T10:00:00+01:00")).status_code == 201
    with practice_context(acme.practice):
        assert Booking.objects.get().starts_at == datetime(2026, 3, 23, 9, 0, tzinfo=UTC)


# --- Whose coach ------------------------------------------------------------------------------------

def test_another_practices_coach_is_404(acme, globex):
    profile = bookable_coach(globex)
    before = rows(globex)
    response = post_booking(acme, booking(profile))
    assert errors(response, 404) == {"coach": ["There is no such coach at this practice."]}
    assert rows(globex) == before


def test_an_unknown_or_unpublished_coach_is_404(acme):
    unpublished = bookable_coach(acme, is_published=False)
    assert post_booking(acme, booking(unpublished)).status_code == 404
    assert post_booking(acme, booking(unpublished, coach=unpublished.pk + 1000)).status_code == 404


# --- Refused: 409 -----------------------------------------------------------------------------------

def refusal(response) -> tuple[str, dict]:
    assert response.status_code == 409, response.content
    return response.json()["code"], response.json()["errors"]


def test_a_time_that_is_not_one_of_the_coachs_slots_is_409_not_a_slot(acme):
    profile = bookable_coach(acme)
    before = rows(acme)
    code, body = refusal(post_booking(acme, booking(profile, start="2026-03-23T09:10:00+00:00")))
    assert code == "not_a_slot"
    assert list(body) == ["start"]
    assert rows(acme) == before


def test_a_time_someone_else_just_booked_is_409(acme):
    profile = bookable_coach(acme)
    assert post_booking(acme, booking(profile)).status_code == 201
    code, body = refusal(post_booking(acme, booking(profile, email="ada@example.com")))
    assert code in {"slot_taken", "not_a_slot"}
    assert list(body) == ["start"]
    with practice_context(acme.practice):
        assert Booking.objects.filter(is_active=True).count() == 1
        assert not User.objects.filter(email="ada@example.com").exists()


def test_losing_the_slot_at_the_last_moment_is_409_slot_taken_and_leaves_nothing(acme, monkeypatch):
    """The race the database settles: both requests saw the slot free; the exclusion
    constraint refuses the second after its account and enquiry were written."""
    profile = bookable_coach(acme)
    assert post_booking(acme, booking(profile)).status_code == 201
    before = rows(acme)
    monkeypatch.setattr(services, "is_free_slot", lambda *args, **kwargs: True)
    code, body = refusal(post_booking(acme, booking(profile, email="ada@example.com")))
    assert code == "slot_taken"
    assert body == {"start": ["Sorry, that time has just been taken. Please choose another."]}
    assert rows(acme) == before
    assert not User.objects.filter(email="ada@example.com").exists()


def test_more_coaches_than_the_practice_allows_is_409_max_calls(acme):
    acme.practice.max_chemistry_calls = 2
    acme.practice.save()
    profiles = [bookable_coach(acme), bookable_coach(acme, acme.coach2), new_coach(acme, "coach3@acme.test")]
    for profile in profiles[:2]:
        assert post_booking(acme, booking(profile)).status_code == 201
    code, body = refusal(post_booking(acme, booking(profiles[2])))
    assert code == "max_calls"
    assert body == {"coach": ["This email address already has a chemistry call with this coach, or calls with 2 coaches (the most we offer). Sign in to see them."]}


def test_a_second_call_with_the_same_coach_is_409_max_calls(acme):
    profile = bookable_coach(acme)
    assert post_booking(acme, booking(profile)).status_code == 201
    code, _body = refusal(post_booking(acme, booking(profile, start="2026-03-23T11:00:00+00:00")))
    assert code == "max_calls"


def test_a_refused_booking_changes_nothing_already_saved(acme):
    acme.practice.max_chemistry_calls = 1
    acme.practice.save()
    first, second = bookable_coach(acme), bookable_coach(acme, acme.coach2)
    assert post_booking(acme, booking(first)).status_code == 201
    before = rows(acme)
    code, _body = refusal(post_booking(acme, booking(second, objectives="Something else entirely.")))
    assert code == "max_calls"
    assert rows(acme) == before
    with practice_context(acme.practice):
        assert Engagement.objects.get().objectives == "Lead the newly merged platform team well."


def test_a_coach_at_capacity_is_409_coach_unavailable(acme):
    profile = bookable_coach(acme, capacity=0)
    code, body = refusal(post_booking(acme, booking(profile)))
    assert code == "coach_unavailable"
    assert list(body) == ["coach"]


# --- Double submit ----------------------------------------------------------------------------------

def test_sending_the_same_booking_twice_answers_with_the_same_booking(acme, committed, mailoutbox):
    profile = bookable_coach(acme)
    with committed():
        first = post_booking(acme, booking(profile))
    sent = len(mailoutbox)
    with committed():
        second = post_booking(acme, booking(profile, email="GRACE@example.com"))
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert len(mailoutbox) == sent
    with practice_context(acme.practice):
        assert Booking.objects.count() == ChemistryCall.objects.count() == 1


def test_the_same_time_booked_by_another_leader_is_no_double_submit(acme):
    profile = bookable_coach(acme)
    post_booking(acme, booking(profile))
    assert post_booking(acme, booking(profile, email="ada@example.com")).status_code == 409


# --- Anonymous, cross-origin ------------------------------------------------------------------------

def test_booking_needs_no_csrf_token(acme):
    profile = bookable_coach(acme)
    response = post_booking(acme, booking(profile), client=Client(HTTP_HOST=acme.host, enforce_csrf_checks=True))
    assert response.status_code == 201


def test_the_booking_answer_and_its_errors_allow_any_origin(acme):
    profile = bookable_coach(acme)
    for response in (
        post_booking(acme, booking(profile), HTTP_ORIGIN="https://acme-coaching.example"),
        post_booking(acme, "{", HTTP_ORIGIN="https://acme-coaching.example"),
        post_booking(acme, booking(profile, email="x"), HTTP_ORIGIN="https://acme-coaching.example"),
    ):
        assert response["Access-Control-Allow-Origin"] == "*"


def test_get_is_405_with_the_allowed_methods(acme):
    response = api(acme).get("/api/v1/chemistry-calls")
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    assert response.json()["code"] == "method_not_allowed"


def test_a_signed_in_visitor_books_for_the_email_given(acme):
    """The API acts on the body alone: a session cookie changes nothing."""
    from tests.conftest import client_at

    profile = bookable_coach(acme)
    client = client_at(acme, acme.coachee)
    assert post_booking(acme, booking(profile), client=client).status_code == 201
    with practice_context(acme.practice):
        assert ChemistryCall.objects.get().engagement.coachee.email == "grace@example.com"


def test_json_is_read_whatever_the_content_type_says(acme):
    profile = bookable_coach(acme)
    response = api(acme).post("/api/v1/chemistry-calls", json.dumps(booking(profile)), content_type="text/plain")
    assert response.status_code == 201
