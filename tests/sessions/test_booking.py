"""Sessions are booked in the coach's free times against the contract, never overlapping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from coachhub.tenancy.context import practice_context
from engagements.models import Booking, Engagement
from engagements.services import BookingRefused
from sessions import selectors, services
from sessions.models import Attendance
from tests.contracts.conftest import BASE_URL
from tests.sessions.conftest import book, next_free_slot


def test_booking_states_the_commitment_and_sends_invites(acme, engagement, mailoutbox, committed):
    with committed():
        session = book(acme, engagement)
    assert session.number == 1 and session.booking.kind == Booking.Kind.COACHING
    with practice_context(acme.practice):
        assert selectors.commitment(engagement).describe().startswith("Session 2 of 6, 5 left, ends ")
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
        services.book_session(engagement=engagement, actor=engagement.coach, starts_at=session.booking.starts_at, base_url=BASE_URL)


def test_cancelling_in_time_frees_the_session(acme, engagement):
    session = book(acme, engagement, after_days=10)
    with practice_context(acme.practice):
        session = services.cancel_session(session=session, actor=engagement.coachee, base_url=BASE_URL)
        assert session.attendance == Attendance.CANCELLED_IN_TIME and not session.counts_as_used
        assert not Booking.objects.get(pk=session.booking_id).is_active
        assert selectors.commitment(engagement).left == 6


def test_cancelling_late_counts_as_used(acme, engagement):
    session = book(acme, engagement, after_days=10)
    with practice_context(acme.practice):
        late = session.booking.starts_at - timedelta(hours=1)
        session = services.cancel_session(session=session, actor=engagement.coach, base_url=BASE_URL, now=late)
        assert session.attendance == Attendance.LATE_CANCELLATION and session.counts_as_used
        assert selectors.commitment(engagement).left == 5


def test_a_session_cannot_be_moved_late(acme, engagement):
    session = book(acme, engagement, after_days=10)
    with practice_context(acme.practice), pytest.raises(BookingRefused):
        services.reschedule_session(
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
