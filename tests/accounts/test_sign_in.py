"""Signing in: by email and password, only at a practice where one is a member."""

import re

import pytest
from django.test import Client

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Membership
from tests.conftest import PASSWORD, client_at

pytestmark = pytest.mark.django_db


def sign_in_code(message) -> str:
    return re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", message.body).group(0)


def login(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_member_signs_in_and_lands_on_home(acme):
    client = Client(HTTP_HOST=acme.host)
    response = login(client, acme.coach.email)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert b"Welcome," in home.content and b'id="home-coach"' in home.content


def test_sign_in_is_refused_at_a_practice_where_one_is_not_a_member(acme, globex):
    response = login(Client(HTTP_HOST=acme.host), globex.coach.email)
    assert response.status_code == 403
    assert "has no access to Acme Coaching" in response.content.decode()


def test_deactivated_member_is_told_their_access_ended(acme):
    with practice_context(acme.practice):
        Membership.objects.filter(user=acme.coach).update(is_active=False, deactivated_at="2026-01-01T00:00Z")
    response = login(Client(HTTP_HOST=acme.host), acme.coach.email)
    assert "access to Acme Coaching has been deactivated" in response.content.decode()


def test_session_ends_when_membership_is_deactivated_meanwhile(acme):
    client = client_at(acme, acme.coach)
    with practice_context(acme.practice):
        Membership.objects.filter(user=acme.coach).update(is_active=False, deactivated_at="2026-01-01T00:00Z")
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "no active access" in client.get(response["Location"]).content.decode()


def test_a_session_from_one_practice_is_not_accepted_at_another(acme):
    """Even for a person who belongs to both: each practice has its own sign-in."""
    client = client_at(acme, acme.admin)
    cookie = client.cookies["sessionid"].value
    other = Client(HTTP_HOST="globex.localhost")
    from tests.conftest import make_practice

    globex = make_practice("globex", "Globex Leadership")
    with practice_context(globex.practice):
        Membership.objects.create(user=acme.admin, role="coach")
    other.cookies["sessionid"] = cookie
    response = other.get("/")
    assert response.status_code == 302


def test_wrong_password_gets_a_clear_message(acme):
    response = login(Client(HTTP_HOST=acme.host), acme.coach.email, "wrong-password")
    assert response.status_code == 422
    assert "not correct" in response.content.decode()


def test_many_wrong_passwords_are_rate_limited(acme):
    client = Client(HTTP_HOST=acme.host)
    responses = [login(client, acme.coach.email, "wrong") for _ in range(6)]
    assert responses[-1].status_code == 429
    assert "Too many failed login attempts" in responses[-1].content.decode()
    # Even the right password waits now.
    assert login(client, acme.coach.email).status_code != 302


def test_public_sign_up_is_closed(acme):
    response = Client(HTTP_HOST=acme.host).get("/accounts/signup/")
    assert b"Sign up" not in response.content or response.status_code != 200
    assert b"closed" in response.content.lower()


def test_only_platform_staff_sign_in_on_the_bare_domain(acme):
    response = login(Client(HTTP_HOST="localhost"), acme.admin.email)
    assert "Only CoachHub platform staff" in response.content.decode()


def test_login_by_emailed_code(acme, mailoutbox, committed):
    client = Client(HTTP_HOST=acme.host)
    with committed():
        response = client.post("/accounts/login/code/", {"email": acme.coachee.email})
    assert response.status_code == 302
    message = mailoutbox[-1]
    assert message.to == [acme.coachee.email]
    assert "Acme Coaching" in message.from_email
    assert message.subject == "Acme Coaching: Sign-In Code"
    code = sign_in_code(message)
    response = client.post("/accounts/login/code/confirm/", {"code": code})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert b'id="home-coachee"' in client.get("/").content


def test_login_code_for_a_non_member_signs_nobody_in(acme, globex, mailoutbox, committed):
    client = Client(HTTP_HOST=acme.host)
    with committed():
        client.post("/accounts/login/code/", {"email": globex.coachee.email})
    if mailoutbox:  # allauth does not reveal whether the account exists
        code = sign_in_code(mailoutbox[-1])
        response = client.post("/accounts/login/code/confirm/", {"code": code})
        assert "has no access to Acme Coaching" in response.content.decode()
    assert client.get("/").status_code == 200
    assert b"Welcome," not in client.get("/").content


def test_password_reset_email_is_branded_and_links_to_the_practice(acme, mailoutbox, committed):
    with committed():
        response = Client(HTTP_HOST=acme.host).post("/accounts/password/reset/", {"email": acme.coach.email})
    assert response.status_code == 302
    message = mailoutbox[-1]
    html = message.alternatives[0][0]
    assert "http://acme.localhost/accounts/password/reset/key/" in message.body
    assert "Acme Coaching" in html and acme.practice.brand_colour in html


def test_an_unverified_email_must_be_confirmed_before_signing_in(acme, mailoutbox, committed):
    acme.coachee2.emailaddress_set.update(verified=False)
    with committed():
        response = login(Client(HTTP_HOST=acme.host), acme.coachee2.email)
    assert response.status_code == 302 and "confirm-email" in response["Location"]
    assert "Confirm" in mailoutbox[-1].subject
