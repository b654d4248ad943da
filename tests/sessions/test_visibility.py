"""DESIGN.md's "Who sees what", walked for every role, incl. a second coach and a second coachee."""

from __future__ import annotations

import pytest

from coachhub.tenancy.context import practice_context
from sessions.services.actions import add_action, add_reflection, set_action_done
from tests.conftest import client_at
from tests.sessions.conftest import log, past_session

PRIVATE = "Private note: worried about the merger"
SUMMARY = "Summary: agreed to delegate the budget review"
GOALS = "Goals: prepare the board conversation"
REFLECTION = "Reflection: I avoid conflict with the CFO"


@pytest.fixture
def logged(acme, engagement):
    session = past_session(acme, engagement)
    session = log(acme, session, goals=GOALS, private_notes=PRIVATE, summary=SUMMARY, worked_on=[])
    with practice_context(acme.practice):
        add_action(session=session, actor=engagement.coach, text="Action: book the offsite", owner="coachee", due_date=None)
        add_reflection(engagement=engagement, actor=engagement.coachee, text=REFLECTION)
    return session


def page(acme, user, engagement):
    return client_at(acme, user).get(f"/engagements/{engagement.pk}/sessions/")


def test_coach_sees_everything_but_the_reflection(acme, engagement, logged):
    body = page(acme, acme.coach, engagement).content.decode()
    assert PRIVATE in body and SUMMARY in body and GOALS in body and "Action: book the offsite" in body
    assert REFLECTION not in body


def test_coachee_sees_summary_actions_reflection_but_not_private_notes(acme, engagement, logged):
    body = page(acme, engagement.coachee, engagement).content.decode()
    assert SUMMARY in body and GOALS in body and "Action: book the offsite" in body and REFLECTION in body
    assert PRIVATE not in body


def test_admin_sees_dates_and_attendance_only(acme, engagement, logged):
    body = page(acme, acme.admin, engagement).content.decode()
    assert "Held" in body
    for secret in (PRIVATE, SUMMARY, GOALS, REFLECTION, "Action: book the offsite"):
        assert secret not in body


def test_sponsor_sees_summary_only_once_the_coachee_shares_it(acme, engagement, logged):
    assert engagement.sponsor_id == acme.sponsor.pk
    body = page(acme, acme.sponsor, engagement).content.decode()
    assert "Held" in body and SUMMARY not in body
    response = client_at(acme, engagement.coachee).post(f"/sessions/{logged.pk}/share/", {"shared": "1"})
    assert response.status_code == 302
    body = page(acme, acme.sponsor, engagement).content.decode()
    assert SUMMARY in body
    for secret in (PRIVATE, GOALS, REFLECTION, "Action: book the offsite"):
        assert secret not in body


@pytest.mark.parametrize("who", ["coach2", "coachee"])
def test_other_coach_and_other_coachee_get_404(acme, engagement, logged, who):
    user = getattr(acme, who)  # the engagement's coachee is coachee2; coachee is the second coachee
    assert page(acme, user, engagement).status_code == 404
    client = client_at(acme, user)
    assert client.get(f"/sessions/{logged.pk}/log/").status_code == 404
    assert client.post(f"/sessions/{logged.pk}/autosave/", {"version": 1, "private_notes": "x"}).status_code == 404


@pytest.mark.parametrize("who", ["coachee2", "admin", "sponsor"])
def test_only_the_coach_opens_the_log(acme, engagement, logged, who):
    client = client_at(acme, getattr(acme, who))
    assert client.get(f"/sessions/{logged.pk}/log/").status_code == 404
    assert client.post(f"/sessions/{logged.pk}/log/", {"version": 1, "summary": "overwritten", "attendance": "held"}).status_code == 404


def test_other_practice_sees_nothing(acme, globex, engagement, logged):
    assert client_at(globex, globex.admin).get(f"/engagements/{engagement.pk}/sessions/").status_code == 404


def test_sponsor_cannot_share_or_tick(acme, engagement, logged):
    client = client_at(acme, acme.sponsor)
    assert client.post(f"/sessions/{logged.pk}/share/", {"shared": "1"}).status_code == 404
    with practice_context(acme.practice):
        action = logged.actions.get()
    assert client.post(f"/actions/{action.pk}/done/", {"done": "1"}).status_code == 404


def test_coachee_ticks_off_an_action(acme, engagement, logged):
    with practice_context(acme.practice):
        action = logged.actions.get()
    client_at(acme, engagement.coachee).post(f"/actions/{action.pk}/done/", {"done": "1"})
    with practice_context(acme.practice):
        action.refresh_from_db()
    assert action.status == "done" and action.done_at is not None


def test_coachee_reopens_an_action_ticked_off_by_mistake(acme, engagement, logged):
    with practice_context(acme.practice):
        action = logged.actions.get()
        set_action_done(action=action, actor=engagement.coachee, done=True)
    client = client_at(acme, engagement.coachee)
    assert "Reopen" in client.get(f"/engagements/{engagement.pk}/sessions/").content.decode()
    client.post(f"/actions/{action.pk}/done/", {"done": "0"})
    with practice_context(acme.practice):
        action.refresh_from_db()
    assert action.status == "open" and action.done_at is None


def test_an_open_action_past_its_due_date_is_marked_overdue(acme, engagement, logged):
    from datetime import timedelta

    from django.utils import timezone

    with practice_context(acme.practice):
        logged.actions.update(due_date=timezone.localdate() - timedelta(days=1))
    assert "Overdue" in page(acme, engagement.coachee, engagement).content.decode()


def test_the_coach_removes_an_action_added_by_mistake_and_nobody_else_can(acme, engagement, logged):
    with practice_context(acme.practice):
        action = logged.actions.get()
    for who in (engagement.coachee, acme.sponsor, acme.admin, acme.coach2):
        assert client_at(acme, who).post(f"/actions/{action.pk}/remove/").status_code == 404
    coach = client_at(acme, engagement.coach)
    assert "Remove" in coach.get(f"/sessions/{logged.pk}/log/").content.decode()
    response = coach.post(f"/actions/{action.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == f"/sessions/{logged.pk}/log/"
    with practice_context(acme.practice):
        assert not logged.actions.exists()


def test_a_reflection_too_long_is_refused_next_to_the_box_with_the_text_kept(acme, engagement, logged):
    too_long = "r" * 50_001
    response = client_at(acme, engagement.coachee).post(f"/engagements/{engagement.pk}/reflections/", {"text": too_long})
    body = response.content.decode()
    assert response.status_code == 422
    assert "Nothing was saved" in body and too_long in body


def test_a_summary_not_yet_written_cannot_be_shared_ahead(acme, engagement):
    unlogged = past_session(acme, engagement)
    client_at(acme, engagement.coachee).post(f"/sessions/{unlogged.pk}/share/", {"shared": "1"})
    log(acme, unlogged, summary=SUMMARY)
    assert SUMMARY not in page(acme, acme.sponsor, engagement).content.decode()
