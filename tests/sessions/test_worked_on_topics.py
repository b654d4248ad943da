"""The practice admin edits the "what was worked on" list; coaches and others cannot."""

from __future__ import annotations

import pytest

from coachhub.tenancy.context import practice_context
from sessions import selectors
from sessions.models import DEFAULT_WORKED_ON_TOPICS
from tests.conftest import client_at


def test_admin_edits_the_list_and_removed_entries_are_retired(acme):
    client = client_at(acme, acme.admin)
    assert "360 feedback" in client.get("/practice/worked-on/").content.decode()
    response = client.post("/practice/worked-on/", {"topics": "Accountability\n\nStakeholder mapping\naccountability"})
    assert response.status_code == 302
    with practice_context(acme.practice):
        assert selectors.worked_on_topics() == ["Accountability", "Stakeholder mapping"]


def test_an_empty_list_is_refused_with_a_message(acme):
    response = client_at(acme, acme.admin).post("/practice/worked-on/", {"topics": "   \n  "})
    assert response.status_code == 422


@pytest.mark.parametrize("who", ["coach", "coachee", "sponsor"])
def test_only_admins_edit_the_list(acme, who):
    assert client_at(acme, getattr(acme, who)).get("/practice/worked-on/").status_code == 404


def test_the_default_list_is_created_once(acme):
    client_at(acme, acme.admin).get("/practice/worked-on/")
    client_at(acme, acme.admin).get("/practice/worked-on/")
    with practice_context(acme.practice):
        assert selectors.worked_on_topics() == DEFAULT_WORKED_ON_TOPICS


def test_an_entry_retired_after_a_session_ticked_it_stays_on_that_session_when_its_log_is_saved_again(acme, engagement):
    from sessions.models import CoachingSession
    from tests.sessions.conftest import log, past_session

    session = log(acme, past_session(acme, engagement), worked_on=["360 feedback", "Accountability"])
    assert client_at(acme, acme.admin).post("/practice/worked-on/", {"topics": "Accountability"}).status_code == 302
    coach = client_at(acme, engagement.coach)
    page = coach.get(f"/sessions/{session.pk}/log/").content.decode()
    assert 'value="360 feedback"' in page and "Psychometric debrief" not in page
    response = coach.post(f"/sessions/{session.pk}/log/", {
        "version": session.version, "worked_on_sent": "1", "worked_on": ["360 feedback", "Accountability"], "attendance": "held",
    })
    assert response.status_code == 302
    with practice_context(acme.practice):
        assert CoachingSession.objects.get(pk=session.pk).worked_on == ["360 feedback", "Accountability"]
