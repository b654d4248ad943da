"""Sessions are booked in the coach's free times against the contract, never overlapping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from coachhub.tenancy.context import practice_context
from coachhub.roster.models import Booking
from engagements.models import Engagement
from engagements.services import BookingRefused
from sessions import selectors
from sessions.services.booking import PAST_END_DATE, book_session, cancel_session, reschedule_session
from sessions.models import Attendance
from tests.contracts.conftest import BASE_URL
from tests.sessions.conftest import book, next_free_slot


def test_booking_states_the_commitment_and_sends_invites(acme, engagement, mailoutbox, committed):
    with committed():
        session = book(acme, engagement)
    assert session.number == 1 and session.booking.kind == Booking.Kind.COACHING
    with practice_context(acme.practice):
        assert selectors.commitment(engagement).describe().startswith("Session 2 of 6, 4 left, ends ")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([engagement.coach.email, engagement.coachee.email])
    assert "BEGIN:VCALENDAR" in mailoutbox[0].attachments[0][1]


def test_booking_past_the_commitment_is_refused_unless_confirmed(acme, engagement):
    with practice_context(acme.practice):
        contract = selectors.contract_in_force(engagement)
    for day in range(contract.sessions):
        book(acme, engagement, after_days=1 + day)
    with pytest.raises(BookingRefused) as refusal:
        book(acme, engagement, after_days=20)
    assert "all booked or used" in refusal.value.message
    assert book(acme, engagement, after_days=20, beyond_commitment=True).number == contract.sessions + 1


def test_overlapping_booking_is_refused_by_the_database(acme, engagement):
    session = book(acme, engagement)
    with practice_context(acme.practice), pytest.raises(IntegrityError), transaction.atomic():
        start = session.booking.starts_at + timedelta(minutes=30)
        Booking.objects.create(
            coach=engagement.coach, kind=Booking.Kind.COACHING, starts_at=start, ends_at=start + timedelta(minutes=90),
            blocked=DateTimeTZRange(start, start + timedelta(minutes=90), "[)"),
        )


def test_the_same_time_cannot_be_booked_twice(acme, engagement):
    session = book(acme, engagement)
    with practice_context(acme.practice), pytest.raises(BookingRefused):
        book_session(engagement=engagement, actor=engagement.coach, starts_at=session.booking.starts_at, base_url=BASE_URL)


def test_cancelling_in_time_frees_the_session(acme, engagement):
    session = book(acme, engagement, after_days=10)
    with practice_context(acme.practice):
        session = cancel_session(session=session, actor=engagement.coachee, base_url=BASE_URL)
        assert session.attendance == Attendance.CANCELLED_IN_TIME and not session.counts_as_used
        assert not Booking.objects.get(pk=session.booking_id).is_active
        assert selectors.commitment(engagement).left == 6


def test_cancelling_late_counts_as_used(acme, engagement):
    session = book(acme, engagement, after_days=10)
    with practice_context(acme.practice):
        late = session.booking.starts_at - timedelta(hours=1)
        session = cancel_session(session=session, actor=engagement.coach, base_url=BASE_URL, now=late)
        assert session.attendance == Attendance.LATE_CANCELLATION and session.counts_as_used
        assert selectors.commitment(engagement).left == 5


def test_a_session_cannot_be_moved_late(acme, engagement):
    session = book(acme, engagement, after_days=10)
    with practice_context(acme.practice), pytest.raises(BookingRefused):
        reschedule_session(
            session=session, actor=engagement.coach, starts_at=next_free_slot(engagement.coach, after_days=12),
            base_url=BASE_URL, now=session.booking.starts_at - timedelta(hours=2),
        )


def test_no_booking_on_an_engagement_that_is_not_active(acme, engagement):
    with practice_context(acme.practice):
        Engagement.objects.filter(pk=engagement.pk).update(stage=Engagement.Stage.COMPLETED)
    with pytest.raises(ValidationError):
        book(acme, engagement)


def test_coachee_cannot_open_the_booking_page(acme, engagement):
    from tests.conftest import client_at

    assert client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/sessions/book/").status_code == 404
    assert client_at(acme, engagement.coach).get(f"/engagements/{engagement.pk}/sessions/book/").status_code == 200


def test_the_coach_moves_a_session_from_its_page(acme, engagement):
    from tests.conftest import client_at

    session = book(acme, engagement, after_days=10)
    with practice_context(acme.practice):
        new_start = next_free_slot(engagement.coach, after_days=12)
    client = client_at(acme, engagement.coach)
    assert client.get(f"/sessions/{session.pk}/move/").status_code == 200
    response = client.post(f"/sessions/{session.pk}/move/", {"start": new_start.isoformat()})
    assert response.status_code == 302
    with practice_context(acme.practice):
        from sessions.models import CoachingSession

        moved = CoachingSession.objects.select_related("booking").get(pk=session.pk)
        assert moved.booking.starts_at == new_start and moved.ics_sequence == 1
        assert not Booking.objects.get(pk=session.booking_id).is_active
    assert client_at(acme, engagement.coachee).get(f"/sessions/{session.pk}/move/").status_code == 404


def test_a_refused_booking_keeps_the_time_that_was_picked(acme, engagement):
    from tests.conftest import client_at

    with practice_context(acme.practice):
        contract = selectors.contract_in_force(engagement)
    for day in range(contract.sessions):
        book(acme, engagement, after_days=1 + day)
    with practice_context(acme.practice):
        start = next_free_slot(engagement.coach, after_days=1)
    response = client_at(acme, engagement.coach).post(f"/engagements/{engagement.pk}/sessions/book/", {"start": start.isoformat()})
    body = response.content.decode()
    assert "all booked or used" in body
    assert f'value="{start.isoformat()}" required checked' in body


def test_the_cancel_button_says_whether_cancelling_now_counts_as_used(acme, engagement):
    from tests.conftest import client_at

    soon = book(acme, engagement, after_days=1)
    later = book(acme, engagement, after_days=10)
    with practice_context(acme.practice):
        notice = selectors.contract_in_force(engagement).cancellation_notice_hours
    body = client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/sessions/").content.decode()
    assert notice > 24  # the next free day is within the notice, ten days ahead is not
    assert f"Cancel session {soon.number} on" in body and "it counts as used" in body
    assert f"Cancel session {later.number} on" in body and "notice it is not counted" in body


def test_the_emails_say_where_a_session_moved_from_and_whether_a_cancellation_counts(acme, engagement, mailoutbox, committed):
    session = book(acme, engagement, after_days=10)
    with practice_context(acme.practice):
        new_start = next_free_slot(engagement.coach, after_days=12)
    mailoutbox.clear()
    with committed(), practice_context(acme.practice):
        reschedule_session(session=session, actor=engagement.coach, starts_at=new_start, base_url=BASE_URL)
    moved = [m for m in mailoutbox if m.to == [engagement.coachee.email]][0]
    assert "has moved (it was " in moved.body
    mailoutbox.clear()
    with committed(), practice_context(acme.practice):
        cancel_session(session=session, actor=engagement.coachee, base_url=BASE_URL, now=new_start - timedelta(hours=1))
    cancelled = [m for m in mailoutbox if m.to == [engagement.coach.email]][0]
    assert "counts as one of the package's sessions" in cancelled.body



def _days_past_the_end(acme, engagement):
    """The contract's end date, and how many days from today the first day after it is."""
    from django.utils import timezone

    with practice_context(acme.practice):
        end = selectors.contract_in_force(engagement).end_date
    return end, (end - timezone.localdate()).days + 1


def test_booking_past_the_end_date_is_refused_unless_confirmed_and_the_page_warns(acme, engagement):
    from tests.conftest import client_at

    end, after = _days_past_the_end(acme, engagement)
    with pytest.raises(BookingRefused) as refusal:
        book(acme, engagement, after_days=after)
    assert refusal.value.code == PAST_END_DATE and f"{end:%d %B %Y}" in refusal.value.message
    assert book(acme, engagement, after_days=after, beyond_commitment=True).booking.starts_at.date() > end
    client = client_at(acme, engagement.coach)
    warning = "times after that day are past what it states"
    assert warning not in client.get(f"/engagements/{engagement.pk}/sessions/book/").content.decode()
    later = client.get(f"/engagements/{engagement.pk}/sessions/book/?week={end + timedelta(days=3):%Y-%m-%d}")
    assert warning in later.content.decode()


def test_moving_a_session_past_the_end_date_needs_the_coach_to_confirm(acme, engagement):
    session = book(acme, engagement, after_days=4)  # more than the contract's notice ahead
    end, after = _days_past_the_end(acme, engagement)
    with practice_context(acme.practice):
        later = next_free_slot(engagement.coach, after_days=after)
        with pytest.raises(BookingRefused) as refusal:
            reschedule_session(session=session, actor=engagement.coach, starts_at=later, base_url=BASE_URL)
        assert refusal.value.code == PAST_END_DATE
        moved = reschedule_session(
            session=session, actor=engagement.coach, starts_at=later, base_url=BASE_URL, beyond_commitment=True,
        )
    assert moved.booking.starts_at == later


def test_the_coachs_calendar_feed_shows_a_session_under_its_invites_uid(acme, engagement):
    from django.test import Client
    from icalendar import Calendar

    from coachhub.roster.models import CoachProfile

    session = book(acme, engagement, after_days=10)
    with practice_context(acme.practice):
        token = CoachProfile.objects.get(user=engagement.coach).calendar_token
        session.refresh_from_db()
    feed = Client(HTTP_HOST=acme.host).get(f"/roster/calendar/{token}.ics")
    events = {str(event["uid"]): event for event in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert session.ics_uid in events
    assert str(events[session.ics_uid]["summary"]) == f"Coaching session {session.number}: {engagement.coachee}"
