"""The coach's log: autosave, conflicts between tabs, bad input, only on active engagements."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from coachhub.tenancy.context import practice_context
from engagements.models import Engagement
from sessions import selectors
from sessions.services.log import save_log
from sessions.models import DEFAULT_WORKED_ON_TOPICS, CoachingSession
from tests.conftest import client_at
from tests.sessions.conftest import book, log, past_session


def fresh(acme, session) -> CoachingSession:
    with practice_context(acme.practice):
        return CoachingSession.objects.select_related("engagement").get(pk=session.pk)


def test_a_session_cannot_be_logged_on_an_engagement_that_is_not_active(acme, engagement):
    session = past_session(acme, engagement)
    with practice_context(acme.practice):
        Engagement.objects.filter(pk=engagement.pk).update(stage=Engagement.Stage.COMPLETED)
    with pytest.raises(ValidationError, match="not active"):
        log(acme, session, summary="Summary: late")


def test_autosave_saves_the_draft_and_says_when(acme, engagement):
    session = past_session(acme, engagement)
    response = client_at(acme, engagement.coach).post(
        f"/sessions/{session.pk}/autosave/", {"version": 0, "goals": "Goals typed", "private_notes": "Private note: draft"},
    )
    assert response.status_code == 200
    assert "Saved at" in response.content.decode() and 'value="1"' in response.content.decode()
    saved = fresh(acme, session)
    assert saved.goals == "Goals typed" and saved.version == 1 and saved.logged_at is None
    with practice_context(acme.practice):
        assert selectors.private_notes_of(saved, engagement.coach) == "Private note: draft"


def test_the_log_page_offers_the_practice_list(acme, engagement):
    session = past_session(acme, engagement)
    body = client_at(acme, engagement.coach).get(f"/sessions/{session.pk}/log/").content.decode()
    assert "Perceptual positions: shareholder" in body and "360 feedback" in body
    with practice_context(acme.practice):
        assert len(selectors.worked_on_topics()) == len(DEFAULT_WORKED_ON_TOPICS)


def test_a_save_from_a_stale_tab_keeps_both_texts(acme, engagement):
    session = past_session(acme, engagement)
    client = client_at(acme, engagement.coach)
    client.post(f"/sessions/{session.pk}/autosave/", {"version": 0, "summary": "Typed in tab one"})
    response = client.post(f"/sessions/{session.pk}/autosave/", {"version": 0, "summary": "Typed in tab two"})
    assert response["HX-Refresh"] == "true"
    summary = fresh(acme, session).summary
    assert "Typed in tab one" in summary and "Typed in tab two" in summary and "another tab" in summary


def test_a_megabyte_of_notes_is_refused_with_a_message_and_nothing_lost(acme, engagement):
    session = log(acme, past_session(acme, engagement), summary="Summary: kept")
    client = client_at(acme, engagement.coach)
    huge = "x" * 1_000_000
    response = client.post(f"/sessions/{session.pk}/log/", {"version": 1, "summary": huge, "attendance": "held"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Nothing was saved" in body and huge in body
    assert fresh(acme, session).summary == "Summary: kept"
    autosave = client.post(f"/sessions/{session.pk}/autosave/", {"version": 1, "private_notes": huge})
    assert "Not saved" in autosave.content.decode()


def test_html_in_notes_is_shown_escaped(acme, engagement):
    session = log(acme, past_session(acme, engagement), summary="<script>alert(1)</script>", private_notes="<b>bold</b>")
    body = client_at(acme, engagement.coach).get(f"/engagements/{engagement.pk}/sessions/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "<b>bold</b>" not in body
    log_page = client_at(acme, engagement.coach).get(f"/sessions/{session.pk}/log/").content.decode()
    assert "<script>alert(1)</script>" not in log_page


def test_an_action_due_in_the_past_is_refused(acme, engagement):
    session = past_session(acme, engagement)
    response = client_at(acme, engagement.coach).post(
        f"/sessions/{session.pk}/actions/", {"text": "Call the CFO", "owner": "coachee", "due_date": (date.today() - timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 422
    assert "The due date is in the past" in response.content.decode()


def test_the_final_save_marks_the_session_held(acme, engagement):
    session = past_session(acme, engagement)
    response = client_at(acme, engagement.coach).post(
        f"/sessions/{session.pk}/log/", {"version": 0, "summary": "Summary: done", "attendance": "held", "worked_on": ["Accountability"]},
    )
    assert response.status_code == 302
    saved = fresh(acme, session)
    assert saved.attendance == "held" and saved.counts_as_used and saved.logged_at and saved.worked_on == ["Accountability"]


def test_a_no_show_counts_as_used(acme, engagement):
    session = past_session(acme, engagement)
    with practice_context(acme.practice):
        saved, _ = save_log(session=session, actor=engagement.coach, version=0, attendance="no_show", final=True)
    assert saved.counts_as_used


def test_a_save_from_the_same_tab_that_only_typed_on_is_not_a_conflict(acme, engagement):
    """Two autosaves of one tab in flight at once carry the same version: the later holds the
    earlier's text, so it is taken as it is, without a marked copy or a reload."""
    session = past_session(acme, engagement)
    client = client_at(acme, engagement.coach)
    client.post(f"/sessions/{session.pk}/autosave/", {"version": 0, "summary": "Summary: we agreed"})
    response = client.post(f"/sessions/{session.pk}/autosave/", {"version": 0, "summary": "Summary: we agreed two experiments"})
    assert "HX-Refresh" not in response and "another tab" not in response.content.decode()
    assert fresh(acme, session).summary == "Summary: we agreed two experiments"


def test_saving_the_log_right_after_its_autosave_is_not_reported_as_a_conflict(acme, engagement):
    """Clicking "Save the log" blurs the field, which autosaves the same text a moment before the
    form is posted with the version the page had."""
    session = past_session(acme, engagement)
    client = client_at(acme, engagement.coach)
    client.post(f"/sessions/{session.pk}/autosave/", {"version": 0, "summary": "Summary: done"})
    response = client.post(f"/sessions/{session.pk}/log/", {"version": 0, "summary": "Summary: done", "attendance": "held"})
    assert response.status_code == 302 and response["Location"] == f"/engagements/{engagement.pk}/sessions/"
    saved = fresh(acme, session)
    assert saved.summary == "Summary: done" and saved.logged_at is not None


def test_an_upcoming_session_cannot_be_marked_held_before_it_starts(acme, engagement):
    session = book(acme, engagement, after_days=3)
    with practice_context(acme.practice), pytest.raises(ValidationError, match="has not taken place yet"):
        save_log(session=session, actor=engagement.coach, version=0, summary="Summary: early", final=True)
    saved = fresh(acme, session)
    assert saved.attendance == "scheduled" and saved.logged_at is None and saved.summary == ""


def test_saving_notes_prepared_for_an_upcoming_session_leaves_it_scheduled(acme, engagement):
    session = book(acme, engagement, after_days=3)
    client = client_at(acme, engagement.coach)
    page = client.get(f"/sessions/{session.pk}/log/").content.decode()
    assert "Save the notes" in page and 'name="attendance"' not in page
    response = client.post(f"/sessions/{session.pk}/log/", {"version": 0, "goals": "Goals: the board", "attendance": "held"})
    assert response.status_code == 302
    saved = fresh(acme, session)
    assert saved.goals == "Goals: the board" and saved.attendance == "scheduled" and not saved.counts_as_used
    assert saved.logged_at is None
