"""allauth's pages answer a refused form as every page of ours does: 422, the form shown again with
its messages (tenancy/forms.py form_status; accounts/views.py wraps allauth's views)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import PASSWORD, client_at

pytestmark = pytest.mark.django_db


def test_a_password_reset_for_a_malformed_address_answers_422(acme):
    response = Client(HTTP_HOST=acme.host).post("/accounts/password/reset/", {"email": "not-an-address"})
    assert response.status_code == 422
    assert "field-error" in response.content.decode()


def test_a_password_change_with_the_wrong_current_password_answers_422(acme):
    response = client_at(acme, acme.coach).post("/accounts/password/change/", {
        "oldpassword": "not-it", "password1": "a-new-long-passphrase-1", "password2": "a-new-long-passphrase-1",
    })
    assert response.status_code == 422


def test_allauth_pages_shown_or_sent_well_keep_their_status(acme):
    client = Client(HTTP_HOST=acme.host)
    assert client.get("/accounts/password/reset/").status_code == 200
    assert client.post("/accounts/password/reset/", {"email": acme.coach.email}).status_code == 302
    assert client_at(acme, acme.coach).post("/accounts/password/change/", {
        "oldpassword": PASSWORD, "password1": "a-new-long-passphrase-1", "password2": "a-new-long-passphrase-1",
    }).status_code == 302
