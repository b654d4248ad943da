"""The coach moves a point with a reason; never to before the last session held."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from measurement.services.scheduling import move_point
from measurement.models import PointMove
from tests.conftest import client_at
from tests.measurement.conftest import hold_sessions, point_of, rate


def test_moving_keeps_the_reason_and_the_old_rule(acme, engagement, in_practice):
    point = point_of(acme, engagement)
    with in_practice(acme):
        move_point(point=point, actor=acme.coach, after_sessions=4, reason="Holiday in the middle of the programme.")
        move = PointMove.objects.get(point=point)
    assert (move.from_after_sessions, move.to_after_sessions, move.reason) == (3, 4, "Holiday in the middle of the programme.")
    assert point_of(acme, engagement).due_after_sessions == 4


def test_a_moved_point_falls_due_at_its_new_count(acme, engagement, in_practice):
    with in_practice(acme):
        move_point(point=point_of(acme, engagement), actor=acme.coach, after_sessions=4, reason="Later.")
    hold_sessions(acme, engagement, 3)
    assert point_of(acme, engagement).fell_due_at is None
    hold_sessions(acme, engagement, 1, first=4)
    assert point_of(acme, engagement).fell_due_at is not None


def test_a_point_cannot_move_to_before_the_last_session_held(acme, engagement, in_practice):
    with in_practice(acme):
        move_point(point=point_of(acme, engagement), actor=acme.coach, after_sessions=5, reason="Later.")
    hold_sessions(acme, engagement, 4)
    with in_practice(acme), pytest.raises(ValidationError) as refused:
        move_point(point=point_of(acme, engagement), actor=acme.coach, after_sessions=2, reason="Earlier.")
    assert "cannot move to before the last session held" in str(refused.value)
    with in_practice(acme), pytest.raises(ValidationError) as refused:
        move_point(point=point_of(acme, engagement), actor=acme.coach, due_on=timezone.localdate() - timedelta(days=60),
                            reason="Earlier.")
    assert "cannot move to before it" in str(refused.value)
    assert point_of(acme, engagement).due_after_sessions == 5


def test_moving_needs_a_reason_and_a_rule(acme, engagement, in_practice):
    with in_practice(acme), pytest.raises(ValidationError) as refused:
        move_point(point=point_of(acme, engagement), actor=acme.coach, reason=" ")
    assert set(refused.value.error_dict) == {"reason", "after_sessions"}


def test_the_mid_point_cannot_move_past_the_end_point(acme, engagement, in_practice):
    with in_practice(acme), pytest.raises(ValidationError, match="after the end-point"):
        move_point(point=point_of(acme, engagement), actor=acme.coach, after_sessions=7, reason="Later.")


def test_only_the_coach_moves_a_point(acme, engagement, in_practice):
    with in_practice(acme), pytest.raises(Http404):
        move_point(point=point_of(acme, engagement), actor=engagement.coachee, after_sessions=4, reason="x")


def test_a_point_being_rated_is_not_moved(acme, engagement, in_practice):
    hold_sessions(acme, engagement, 3)
    rate(acme, point_of(acme, engagement), engagement.coachee, 6)
    with in_practice(acme), pytest.raises(ValidationError, match="started rating"):
        move_point(point=point_of(acme, engagement), actor=acme.coach, after_sessions=4, reason="Later.")


def test_the_move_form_shows_the_message_next_to_the_field(acme, engagement):
    hold_sessions(acme, engagement, 2)
    point = point_of(acme, engagement)
    response = client_at(acme, acme.coach).post(
        f"/engagements/{engagement.pk}/progress/points/{point.pk}/move/", {"after_sessions": "1", "reason": "Sooner."}
    )
    assert response.status_code == 422
    assert "2 sessions have already been held" in response.content.decode()


def test_a_point_cannot_move_past_the_sessions_contracted(acme, engagement, in_practice):
    with in_practice(acme), pytest.raises(ValidationError) as refused:
        move_point(point=point_of(acme, engagement, "end"), actor=acme.coach, after_sessions=9, reason="Later.")
    assert "The contract has 6 sessions: choose 6 or fewer" in str(refused.value)


def test_an_unreadable_date_gets_one_message_not_two(acme, engagement):
    point = point_of(acme, engagement)
    response = client_at(acme, acme.coach).post(
        f"/engagements/{engagement.pk}/progress/points/{point.pk}/move/", {"due_on": "2026-02-30", "reason": "Later."}
    )
    page = response.content.decode()
    assert response.status_code == 422 and "Enter a valid date." in page
    assert "Give a number of sessions, a date, or both." not in page


def test_moving_a_point_being_rated_says_why_at_the_top_and_the_form_is_gone(acme, engagement):
    hold_sessions(acme, engagement, 3)
    point = point_of(acme, engagement)
    rate(acme, point, engagement.coachee, 6)
    client = client_at(acme, acme.coach)
    url = f"/engagements/{engagement.pk}/progress/points/{point.pk}/"
    response = client.post(url + "move/", {"after_sessions": "4", "reason": "Later."}, follow=True)
    page = response.content.decode()
    assert "it can no longer be moved. Close it instead." in page
    assert 'action="' + url + 'move/"' not in page and "so it can no longer be moved" in page


def test_everyone_who_follows_the_point_sees_its_moves_with_the_old_and_new_rule(acme, engagement, in_practice):
    point = point_of(acme, engagement)
    with in_practice(acme):
        move_point(point=point, actor=acme.coach, after_sessions=4, reason="Holiday in the middle.")
    page = client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/progress/points/{point.pk}/").content.decode()
    assert "moved it from after 3 sessions held to after 4 sessions held. Reason: Holiday in the middle." in page
