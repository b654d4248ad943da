"""The coachee names stakeholders after acceptance; the coach sees them and suggests; admins and
sponsors see counts only; bad input gets a clear message."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coachhub.tenancy.context import practice_context
from measurement.stakeholders import nominations
from tests.conftest import client_at
from tests.stakeholders.conftest import due_point, name

pytestmark = pytest.mark.django_db


def test_the_coachee_names_a_stakeholder_on_the_engagement_page(acme, engagement):
    client = client_at(acme, engagement.coachee)
    page = client.get(f"/engagements/{engagement.pk}/stakeholders/")
    assert page.status_code == 200 and "Name a stakeholder" in page.content.decode()
    response = client.post(f"/engagements/{engagement.pk}/stakeholders/", {
        "action": "nominate", "group": "Peers", "name": "Pat Peer", "email": "Pat@Client.example",
    })
    assert response.status_code == 302
    page = client.get(f"/engagements/{engagement.pk}/stakeholders/").content.decode()
    assert "Pat Peer" in page and "pat@client.example" in page


@pytest.mark.parametrize(("email", "message"), [
    ("coachee", "That address reaches you, the coachee"),
    ("sponsor", "That address reaches the sponsor"),
    ("taken", "already named"),
    ("not-an-email", "Give an email address"),
])
def test_bad_nominees_get_a_clear_message(acme, engagement, email, message):
    name(acme, engagement, "Peers", 1)
    address = {"coachee": engagement.coachee.email, "sponsor": acme.sponsor.email,
               "taken": "peers-0@client.example"}.get(email, email)
    client = client_at(acme, engagement.coachee)
    # The same email in another group is refused too.
    response = client.post(f"/engagements/{engagement.pk}/stakeholders/", {
        "action": "nominate", "group": "Direct reports", "name": "Someone", "email": address.upper(),
    })
    assert response.status_code == 422
    assert message in response.content.decode()


def test_a_group_the_contract_does_not_name_is_refused(acme, engagement):
    with practice_context(acme.practice), pytest.raises(ValidationError) as error:
        nominations.nominate_stakeholder(engagement=engagement, actor=engagement.coachee, group="Customers",
                                         name="Cu Stomer", email="cu@client.example")
    assert "contract's groups" in str(error.value)


def test_the_coach_sees_the_names_and_suggests_but_cannot_name(acme, engagement):
    name(acme, engagement, "Peers", 2)
    client = client_at(acme, engagement.coach)
    page = client.get(f"/engagements/{engagement.pk}/stakeholders/").content.decode()
    assert "Peers person 0" in page and "Name a stakeholder" not in page
    assert client.post(f"/engagements/{engagement.pk}/stakeholders/", {
        "action": "nominate", "group": "Peers", "name": "X", "email": "x@client.example",
    }).status_code == 404
    client.post(f"/engagements/{engagement.pk}/stakeholders/", {"action": "suggest", "text": "Ask Sam from finance."})
    coachee_page = client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/stakeholders/").content.decode()
    assert "Ask Sam from finance." in coachee_page


@pytest.mark.parametrize("who", ["sponsor", "admin"])
def test_sponsor_and_admin_see_counts_only(acme, engagement, who):
    name(acme, engagement, "Peers", 2)
    page = client_at(acme, getattr(acme, who)).get(f"/engagements/{engagement.pk}/stakeholders/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Peers person" not in text and "client.example" not in text
    assert "<th scope=\"row\">Peers</th><td>2</td>" in text


@pytest.mark.parametrize("who", ["coach2", "coachee"])
def test_others_in_the_practice_get_404(acme, engagement, who):
    assert client_at(acme, getattr(acme, who)).get(f"/engagements/{engagement.pk}/stakeholders/").status_code == 404


def test_another_practice_gets_404(acme, globex, engagement):
    assert client_at(globex, globex.coachee2).get(f"/engagements/{engagement.pk}/stakeholders/").status_code == 404


def test_a_group_may_not_drop_below_its_minimum_while_a_point_is_open(acme, engagement):
    peers = name(acme, engagement, "Peers", 3)
    due_point(acme, engagement)
    client = client_at(acme, engagement.coachee)
    response = client.post(f"/engagements/{engagement.pk}/stakeholders/", {"action": "remove", "nominee": peers[0].pk}, follow=True)
    assert response.status_code == 200
    assert "it needs at least 3" in response.content.decode()
    with practice_context(acme.practice):
        assert engagement.nominees.count() == 3
