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
