"""Every link that carries a token answers a malformed one with 404 (or 400), never a 500: a token
validly signed but with ids that are not integers, a payload of the wrong shape, or bytes that do
not decode, and any crafted value in the links whose token is looked up by its digest."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client

from coachhub.tenancy.context import practice_context
from measurement.stakeholders import links
from reminders import emails
from sessions.services.log import DRAFT_TOKEN_SALT, keep_signed_out_draft
from tests.conftest import client_at

pytestmark = pytest.mark.django_db


def malformed_payloads(practice_id: int, good: dict) -> list:
    """Payloads shaped like `good` but each wrong in one way, plus payloads that are not dicts."""
    wrong = []
    for key, value in good.items():
        for bad in ("abc", "1", 1.5, True, None, [1], {"a": 1}) if isinstance(value, int) else (5, None, ["x"]):
            wrong.append({**good, key: bad})
    return [*wrong, [practice_id, 1], "text", 7, None]


def signed_garbage(salt: str) -> list[str]:
    """Tokens with a good signature over bytes that are not base64, JSON or zlib."""
    signer = signing.TimestampSigner(salt=salt)
    return [signer.sign("!!!"), signer.sign(".bm90IHpsaWI"), signer.sign("bm90IGpzb24")]


def test_a_stakeholder_answer_link_with_non_integer_ids_is_404(acme):
    good = {"p": acme.practice.pk, "pt": 1, "n": 1, "s": "secret"}
    client = Client(HTTP_HOST=acme.host)
    tokens = [signing.dumps(p, salt=links.ANSWER_SALT, compress=True) for p in malformed_payloads(acme.practice.pk, good)]
    for token in tokens + signed_garbage(links.ANSWER_SALT):
        assert client.get(f"/feedback/{token}/").status_code == 404
        assert client.post(f"/feedback/{token}/", {"comment": "x"}).status_code == 404


def test_a_stakeholder_unsubscribe_link_with_non_integer_ids_is_404(acme):
    good = {"p": acme.practice.pk, "n": 1, "s": "secret"}
    client = Client(HTTP_HOST=acme.host)
    tokens = [signing.dumps(p, salt=links.UNSUBSCRIBE_SALT, compress=True) for p in malformed_payloads(acme.practice.pk, good)]
    for token in tokens + signed_garbage(links.UNSUBSCRIBE_SALT):
        assert client.get(f"/feedback/{token}/unsubscribe/").status_code == 404
        assert client.post(f"/feedback/{token}/unsubscribe/").status_code == 404


def test_a_reminder_unsubscribe_link_with_a_malformed_payload_is_404(acme):
    good = {"p": acme.practice.pk, "u": acme.coach.pk, "k": "all"}
    client = Client(HTTP_HOST=acme.host)
    tokens = [signing.dumps(p, salt=emails.UNSUBSCRIBE_SALT, compress=True) for p in malformed_payloads(acme.practice.pk, good)]
    for token in tokens + signed_garbage(emails.UNSUBSCRIBE_SALT):
        assert client.get(f"/reminders/unsubscribe/{token}/").status_code == 404
        assert client.post(f"/reminders/unsubscribe/{token}/").status_code == 404


def test_a_signed_out_draft_with_a_malformed_token_is_refused_with_a_message(acme):
    good = {"session": 1, "coach": acme.coach.pk, "practice": acme.practice.pk}
    tokens = [signing.dumps(p, salt=DRAFT_TOKEN_SALT) for p in malformed_payloads(acme.practice.pk, good)]
    for token in tokens + signed_garbage(DRAFT_TOKEN_SALT):
        with practice_context(acme.practice), pytest.raises(ValidationError, match="too old to keep a draft"):
            keep_signed_out_draft(token=token, session_id=1, goals="x", private_notes=None, summary=None, worked_on=None)


CRAFTED = ["abc", "1", "0:1:2", "eyJwIjoxfQ:1abc:def", "%E2%80%AE", "x" * 3000, "..", "%20"]


@pytest.mark.parametrize("value", CRAFTED)
@pytest.mark.parametrize("path", [
    "/invitations/{}/", "/chemistry-calls/manage/{}/", "/reminders/unsubscribe/{}/", "/roster/calendar/{}.ics",
    "/feedback/{}/", "/feedback/{}/unsubscribe/", "/accounts/data/download/{}/",
])
def test_a_crafted_token_in_any_link_is_a_4xx(acme, path, value):
    client = client_at(acme, acme.coachee)  # the data download needs a sign-in; the others ignore it
    for method in (client.get, client.post):
        status = method(path.format(value)).status_code
        assert status in (400, 404, 405), (path, value, status)
