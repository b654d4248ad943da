"""Typing on a log page whose sign-in expired is kept on the server as a draft, offered back after
signing in, and saved into the log then; the page's token opens nothing else."""

from __future__ import annotations

import re

from coachhub.tenancy.viewers import Viewer
from coachhub.tenancy.context import practice_context
from sessions import selectors
from sessions.models import CoachingSession, LogDraft
from tests.conftest import client_at
from tests.sessions.conftest import past_session


def _token(page: str) -> str:
    return re.search(r'name="draft_token" value="([^"]+)"', page).group(1)


def _signed_out_page(acme, engagement):
    """The coach opens the log, then their sign-in expires (the session is gone, the page stays)."""
    session = past_session(acme, engagement)
    client = client_at(acme, engagement.coach)
    token = _token(client.get(f"/sessions/{session.pk}/log/").content.decode())
    client.logout()
    return session, client, token


def test_typing_after_the_sign_in_expired_is_kept_as_a_draft(acme, engagement):
    session, client, token = _signed_out_page(acme, engagement)
    response = client.post(f"/sessions/{session.pk}/autosave/", {
        "version": 0, "draft_token": token, "goals": "Goals typed late", "private_notes": "Private note: typed late",
        "worked_on_sent": "1", "worked_on": ["Accountability"],
    })
    assert response.status_code == 200 and "signed out" in response.content.decode()
    with practice_context(acme.practice):
        draft = LogDraft.objects.get(session=session)
        assert "typed late" not in draft.private_notes_ciphertext
        assert CoachingSession.objects.get(pk=session.pk).goals == ""  # the log itself waits for the coach


def test_the_draft_is_offered_after_signing_in_and_saved_into_the_log(acme, engagement):
    session, client, token = _signed_out_page(acme, engagement)
    client.post(f"/sessions/{session.pk}/autosave/", {
        "version": 0, "draft_token": token, "summary": "Summary: typed while signed out", "private_notes": "Private note: late",
    })
    client = client_at(acme, engagement.coach)
    page = client.get(f"/sessions/{session.pk}/log/").content.decode()
    assert "typed while signed out" in page and "Private note: late" in page and "not in the log yet" in page
    client.post(f"/sessions/{session.pk}/autosave/", {"version": 0, "summary": "Summary: typed while signed out"})
    with practice_context(acme.practice):
        assert not LogDraft.objects.filter(session=session).exists()
        assert CoachingSession.objects.get(pk=session.pk).summary == "Summary: typed while signed out"


def test_an_old_or_forged_token_keeps_nothing_and_says_so(acme, engagement):
    session, client, token = _signed_out_page(acme, engagement)
    response = client.post(f"/sessions/{session.pk}/autosave/", {"version": 0, "draft_token": token + "x", "goals": "x"})
    assert "too old to keep a draft" in response.content.decode()
    other = past_session(acme, engagement, days_ago=9, number=2)
    assert client.post(f"/sessions/{other.pk}/autosave/", {"version": 0, "draft_token": token, "goals": "x"}).status_code == 404
    with practice_context(acme.practice):
        assert not LogDraft.objects.exists()


def test_a_token_from_one_practice_opens_nothing_in_another(acme, globex, engagement):
    session, _, token = _signed_out_page(acme, engagement)
    response = client_at(globex).post(f"/sessions/{session.pk}/autosave/", {"version": 0, "draft_token": token, "goals": "x"})
    assert response.status_code == 404


def test_nobody_else_sees_a_coachs_draft(acme, engagement):
    session, client, token = _signed_out_page(acme, engagement)
    client.post(f"/sessions/{session.pk}/autosave/", {"version": 0, "draft_token": token, "private_notes": "Private note: secret"})
    assert client_at(acme, engagement.coachee).get(f"/sessions/{session.pk}/log/").status_code == 404
    with practice_context(acme.practice):
        assert selectors.signed_out_draft_of(session, Viewer.of(acme.admin)) is None
