"""The roles form does what it says and says what it did: clearing the organisation removes it
(a coachee may have none) or is refused next to the field (a sponsor works for one), and the
message names each change, or says that nothing changed."""

from __future__ import annotations

import pytest

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Membership
from tests.conftest import client_at

pytestmark = pytest.mark.django_db


def _messages(client) -> str:
    return client.get("/practice/people/").content.decode()


def _membership(cast, user, role) -> Membership:
    with practice_context(cast.practice):
        return Membership.objects.get(user=user, role=role)


def test_clearing_a_sponsor_s_organisation_is_refused_next_to_the_field(acme):
    client = client_at(acme, acme.admin)
    response = client.post(f"/practice/people/{acme.sponsor.pk}/", {"roles": ["sponsor"], "client_organisation": ""})
    assert response.status_code == 422
    assert "A sponsor works for a client organisation" in response.content.decode()
    assert _membership(acme, acme.sponsor, "sponsor").client_organisation_id == acme.organisation.pk


def test_clearing_a_coachee_s_organisation_removes_it_and_says_so(acme):
    client = client_at(acme, acme.admin)
    response = client.post(f"/practice/people/{acme.coachee.pk}/", {"roles": ["coachee"], "client_organisation": ""})
    assert response.status_code == 302
    assert _membership(acme, acme.coachee, "coachee").client_organisation_id is None
    assert "Coachee now of no organisation" in _messages(client)


def test_saving_the_same_roles_says_nothing_changed(acme):
    client = client_at(acme, acme.admin)
    response = client.post(f"/practice/people/{acme.sponsor.pk}/", {"roles": ["sponsor"], "client_organisation": acme.organisation.pk})
    assert response.status_code == 302
    page = _messages(client)
    assert "Nothing changed for" in page and "Saved for" not in page


def test_the_message_names_each_change(acme):
    client = client_at(acme, acme.admin)
    client.post(f"/practice/people/{acme.coach2.pk}/", {"roles": ["admin"], "client_organisation": ""})
    page = _messages(client)
    assert "Practice admin role added" in page and "Coach role ended" in page


def test_an_organisation_for_someone_neither_sponsor_nor_coachee_is_refused(acme):
    client = client_at(acme, acme.admin)
    response = client.post(f"/practice/people/{acme.coach2.pk}/", {"roles": ["coach"], "client_organisation": acme.organisation.pk})
    assert response.status_code == 422
    assert "Only sponsors and coachees belong to a client organisation" in response.content.decode()
    assert _membership(acme, acme.coach2, "coach").client_organisation_id is None
