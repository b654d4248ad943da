"""Coachees book and move their own sessions only where the practice allows it, and never past the contract."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from coachhub.tenancy.context import practice_context
from engagements.services import BookingRefused
from sessions import selectors
from sessions.services.booking import book_session, reschedule_session
from sessions.models import CoachingSession
from tests.conftest import client_at
from tests.contracts.conftest import BASE_URL
from tests.sessions.conftest import book, next_free_slot


def _allow(cast, allowed: bool = True) -> None:
    cast.practice.coachees_book_sessions = allowed
    cast.practice.save(update_fields=["coachees_book_sessions"])


def _book_as_coachee(cast, engagement, after_days: int = 1, **options) -> CoachingSession:
    with practice_context(cast.practice):
        return book_session(
            engagement=engagement, actor=engagement.coachee, base_url=BASE_URL,
            starts_at=next_free_slot(engagement.coach, after_days=after_days), **options,
        )


def test_a_coachee_cannot_book_unless_the_practice_allows_it(acme, engagement):
    with pytest.raises(Http404):
        _book_as_coachee(acme, engagement)
    client = client_at(acme, engagement.coachee)
    assert client.get(reverse("book_session", args=[engagement.pk])).status_code == 404
    assert "Book a session" not in client.get(reverse("engagement_sessions", args=[engagement.pk])).content.decode()


def test_a_coachee_books_in_the_coachs_free_times_where_allowed(acme, engagement):
    _allow(acme)
    client = client_at(acme, engagement.coachee)
    page = client.get(reverse("book_session", args=[engagement.pk])).content.decode()
    assert f"one of {engagement.coach}'s free times" in page and "book beyond the contract" not in page.lower()
    session = _book_as_coachee(acme, engagement)
    assert session.booking.coach_id == engagement.coach_id and session.number == 1


def test_a_coachee_cannot_book_past_the_contract_even_when_confirming(acme, engagement):
    _allow(acme)
    with practice_context(acme.practice):
        contract = selectors.contract_in_force(engagement)
    for day in range(contract.sessions):
        book(acme, engagement, after_days=1 + day)
    with pytest.raises(BookingRefused) as refusal:
        _book_as_coachee(acme, engagement, after_days=20, beyond_commitment=True)
    assert "ask your coach" in refusal.value.message


def test_a_coachee_moves_their_session_where_allowed_and_not_otherwise(acme, engagement):
    session = book(acme, engagement, after_days=10)
    client = client_at(acme, engagement.coachee)
    assert client.get(reverse("move_session", args=[session.pk])).status_code == 404
    _allow(acme)
    assert client.get(reverse("move_session", args=[session.pk])).status_code == 200
    with practice_context(acme.practice):
        moved = reschedule_session(
            session=session, actor=engagement.coachee, base_url=BASE_URL,
            starts_at=next_free_slot(engagement.coach, after_days=12),
        )
    assert moved.booking.starts_at != session.booking.starts_at


def test_another_coachee_cannot_book_or_move_even_where_allowed(acme, engagement):
    _allow(acme)
    session = book(acme, engagement, after_days=10)
    other = client_at(acme, acme.coachee)
    assert other.get(reverse("book_session", args=[engagement.pk])).status_code == 404
    assert other.get(reverse("move_session", args=[session.pk])).status_code == 404
