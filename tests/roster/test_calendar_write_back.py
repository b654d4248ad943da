"""Bookings written back into the coach's chosen CalDAV calendar (a real Radicale): chemistry calls,
contracting and coaching sessions, on book, move and cancel, and a call reassigned to another coach;
the invite's UID, SEQUENCE raised; a failed write is shown on the connections page and never undoes
the booking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from coachhub.roster.calendars import services
from coachhub.roster.calendars.models import CalendarConnection
from coachhub.roster.slots import free_slots
from engagements import services as engagement_services
from tests.conftest import client_at, publish_coach
from tests.roster.calendar_helpers import UTC, connect, sync

pytestmark = pytest.mark.django_db
BASE_URL = "http://acme.localhost:8000"


def stored(calendar, uid: str):
    """The event with `uid` in the Radicale calendar (None when deleted)."""
    for text in calendar.events():
        event = Calendar.from_ical(text).walk("VEVENT")[0]
        if str(event["UID"]) == uid:
            return event
    return None


def next_slots(profile, n=2):
    today = timezone.now().date() + timedelta(days=2)
    return free_slots(profile, first_day=today, last_day=today + timedelta(days=14), zone=UTC)[:n]


def test_a_chemistry_call_is_written_moved_and_deleted_in_the_chosen_calendar(acme, in_practice, radicale, django_capture_on_commit_callbacks):
    with in_practice(acme):
        profile = publish_coach(acme.coach)
        connection, made, _ = connect(radicale, profile, acme.coach, ("Work", []), ("Family", []), write_to="Work")
        first, second = next_slots(profile)
        with django_capture_on_commit_callbacks(execute=True):
            call, _ = engagement_services.book_chemistry_call(
                profile=profile, starts_at=first, name="Lee Leader", email="lee@example.com",
                objectives="Confidential: the board wants me out.", time_zone="Europe/London", base_url=BASE_URL,
            )
        event = stored(made["Work"], call.ics_uid)
        assert event is not None and stored(made["Family"], call.ics_uid) is None
        assert event["DTSTART"].dt == first and int(event["SEQUENCE"]) == 0
        assert str(event["SUMMARY"]) == "Chemistry call · Acme Coaching"
        assert "board" not in made["Work"].events()[0] and "lee@example.com" not in made["Work"].events()[0]
        assert str(event["LOCATION"]) == profile.video_link

        with django_capture_on_commit_callbacks(execute=True):
            call = engagement_services.reschedule_chemistry_call(call=call, starts_at=second, actor=acme.coach, base_url=BASE_URL)
        event = stored(made["Work"], call.ics_uid)
        assert event["DTSTART"].dt == second and int(event["SEQUENCE"]) == 1
        assert len(made["Work"].events()) == 1

        # Reading the calendar back does not make the coach busy at their own booking twice over.
        assert sync(connection).busy_blocks == 0

        with django_capture_on_commit_callbacks(execute=True):
            engagement_services.cancel_chemistry_call(call=call, actor=acme.coach, base_url=BASE_URL)
        assert stored(made["Work"], call.ics_uid) is None


def test_a_reassigned_call_leaves_the_first_coachs_calendar_and_lands_in_the_new_coachs(
        acme, in_practice, radicale, django_capture_on_commit_callbacks):
    with in_practice(acme):
        first_profile, second_profile = publish_coach(acme.coach), publish_coach(acme.coach2)
        _, first, _ = connect(radicale, first_profile, acme.coach, ("Work", []))
        _, second, _ = connect(radicale, second_profile, acme.coach2, ("Family", []), ("Bookings", []), write_to="Bookings")
        [slot] = next_slots(first_profile, 1)
        with django_capture_on_commit_callbacks(execute=True):
            call, _ = engagement_services.book_chemistry_call(
                profile=first_profile, starts_at=slot, name="Lee Leader", email="lee@example.com",
                objectives="Grow.", time_zone="Europe/London", base_url=BASE_URL,
            )
        assert stored(first["Work"], call.ics_uid) is not None
        new_start = next_slots(second_profile, 2)[1]
        with django_capture_on_commit_callbacks(execute=True):
            call = engagement_services.reassign_chemistry_call(call=call, profile=second_profile, starts_at=new_start,
                                                               actor=acme.admin, base_url=BASE_URL)
        assert first["Work"].events() == []
        event = stored(second["Bookings"], call.ics_uid)
        assert event["DTSTART"].dt == new_start and int(event["SEQUENCE"]) == 1
        assert str(event["LOCATION"]) == second_profile.video_link
        assert second["Family"].events() == []


def test_a_call_reassigned_between_coaches_sharing_one_calendar_stays_in_it(
        acme, in_practice, radicale, django_capture_on_commit_callbacks):
    """Both coaches write into the same calendar (one account): the deletion for the first coach
    must not race the new coach's write and leave the calendar without the call."""
    with in_practice(acme):
        first_profile, second_profile = publish_coach(acme.coach), publish_coach(acme.coach2)
        _, shared, (username, password) = connect(radicale, first_profile, acme.coach, ("Team", []))
        services.connect_caldav(profile=second_profile, actor=acme.coach2, url=radicale.url, username=username,
                                password=password)
        [slot] = next_slots(first_profile, 1)
        with django_capture_on_commit_callbacks(execute=True):
            call, _ = engagement_services.book_chemistry_call(
                profile=first_profile, starts_at=slot, name="Lee Leader", email="lee@example.com",
                objectives="Grow.", time_zone="Europe/London", base_url=BASE_URL,
            )
        new_start = next_slots(second_profile, 2)[1]
        with django_capture_on_commit_callbacks() as queued:
            call = engagement_services.reassign_chemistry_call(call=call, profile=second_profile, starts_at=new_start,
                                                               actor=acme.admin, base_url=BASE_URL)
        for callback in reversed(queued):  # workers may take the tasks in any order
            callback()
        event = stored(shared["Team"], call.ics_uid)
        assert event is not None and event["DTSTART"].dt == new_start and int(event["SEQUENCE"]) == 1


def test_coaching_and_contracting_sessions_are_written_back(acme, in_practice, radicale, django_capture_on_commit_callbacks):
    from engagements.contracting.sessions import book_contracting_session
    from sessions.services.booking import book_session, cancel_session
    from tests.sessions.conftest import active_engagement, next_free_slot

    with in_practice(acme):
        profile = publish_coach(acme.coach, horizon_days=365)
    engagement = active_engagement(acme)
    with in_practice(acme):
        _, made, _ = connect(radicale, profile, acme.coach, ("Work", []))
        with django_capture_on_commit_callbacks(execute=True):
            session = book_session(engagement=engagement, actor=acme.coach, starts_at=next_free_slot(acme.coach),
                                   base_url=BASE_URL)
        event = stored(made["Work"], session.ics_uid)
        assert str(event["SUMMARY"]) == f"Coaching session {session.number} · Acme Coaching"
        with django_capture_on_commit_callbacks(execute=True):
            cancel_session(session=session, actor=acme.coach, base_url=BASE_URL)
        assert stored(made["Work"], session.ics_uid) is None

        start = next_free_slot(acme.coach, minutes=60, after_days=3)
        with django_capture_on_commit_callbacks(execute=True):
            contracting = book_contracting_session(engagement=engagement, coach=acme.coach, starts_at=start, base_url=BASE_URL)
        assert stored(made["Work"], contracting.ics_uid)["DTSTART"].dt == start


def test_a_failed_write_is_shown_on_the_page_and_the_booking_stands(acme, in_practice, radicale, django_capture_on_commit_callbacks):
    with in_practice(acme):
        profile = publish_coach(acme.coach)
        connection, _, (username, _) = connect(radicale, profile, acme.coach, ("Work", []))
        radicale.users_file.write_text(radicale.users_file.read_text().replace(f"{username}:app-password-1", f"{username}:revoked"))
        [slot] = next_slots(profile, 1)
        with django_capture_on_commit_callbacks(execute=True):
            call, _ = engagement_services.book_chemistry_call(
                profile=profile, starts_at=slot, name="Lee Leader", email="lee@example.com",
                objectives="Grow.", time_zone="Europe/London", base_url=BASE_URL,
            )
        assert call.booking.is_active
        assert "refused the sign-in" in CalendarConnection.objects.get().write_back_error
    page = client_at(acme, acme.coach).get("/roster/me/calendars/").content.decode()
    assert "A booking could not be written into your calendar" in page and "It will be tried again" in page
