"""Invitations: an admin offers a role by email; the link makes (or joins) an account."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from coachhub.accounts.models import User
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import AuditEntry, Invitation, Membership
from coachhub.tenancy.services import invite_person
from tests.conftest import PASSWORD, client_at

pytestmark = pytest.mark.django_db


def invitation_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", message.body).group(1)


def invite(cast, client, committed, **fields):
    data = {"email": "new.coach@example.com", "full_name": "Nia Coach", "role": "coach", **fields}
    with committed():
        return client.post("/practice/people/invite/", data)


def test_admin_invites_and_invitee_sets_a_password_and_lands_home(acme, mailoutbox, committed):
    response = invite(acme, client_at(acme, acme.admin), committed)
    assert response.status_code == 302
    message = mailoutbox[-1]
    assert message.to == ["new.coach@example.com"]
    assert message.subject == "You're invited to Acme Coaching on CoachHub"
    html = message.alternatives[0][0]
    assert "Acme Coaching" in html and acme.practice.brand_colour in html
    assert "http://acme.localhost/invitations/" in message.body

    invitee = Client(HTTP_HOST=acme.host)
    path = invitation_path(message)
    page = invitee.get(path)
    assert page.status_code == 200 and b"Join Acme Coaching" in page.content
    response = invitee.post(path, {"full_name": "Nia Coach", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    home = invitee.get("/")
    assert b'id="home-coach"' in home.content
    user = User.objects.get(email="new.coach@example.com")
    assert user.emailaddress_set.get().verified
    with practice_context(acme.practice):
        assert Membership.objects.get(user=user).role == "coach"
        assert AuditEntry.objects.filter(action="invitation.accepted").exists()


def test_an_invitation_link_works_once(acme, mailoutbox, committed):
    invite(acme, client_at(acme, acme.admin), committed)
    path = invitation_path(mailoutbox[-1])
    Client(HTTP_HOST=acme.host).post(path, {"full_name": "N", "password1": PASSWORD, "password2": PASSWORD})
    again = Client(HTTP_HOST=acme.host).get(path)
    assert again.status_code == 410
    assert b"can no longer be used" in again.content


def test_a_forged_invitation_link_is_404(acme):
    response = Client(HTTP_HOST=acme.host).get("/invitations/not-a-real-token/")
    assert response.status_code == 404


def test_an_expired_invitation_is_410(acme, mailoutbox, committed):
    invite(acme, client_at(acme, acme.admin), committed)
    with practice_context(acme.practice):
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client(HTTP_HOST=acme.host).get(invitation_path(mailoutbox[-1]))
    assert response.status_code == 410


def test_an_invitation_of_one_practice_is_404_at_another(acme, globex, mailoutbox, committed):
    invite(acme, client_at(acme, acme.admin), committed)
    path = invitation_path(mailoutbox[-1])
    assert Client(HTTP_HOST=globex.host).get(path).status_code == 404


def test_an_existing_account_confirms_its_password_to_join(acme, globex, mailoutbox, committed):
    invite(acme, client_at(acme, acme.admin), committed, email=globex.coach.email)
    path = invitation_path(mailoutbox[-1])
    client = Client(HTTP_HOST=acme.host)
    page = client.get(path)
    assert b"already have a CoachHub account" in page.content
    wrong = client.post(path, {"password1": "not-it"})
    assert wrong.status_code == 422 and b"not the password of this account" in wrong.content
    response = client.post(path, {"password1": PASSWORD})
    assert response.status_code == 302
    assert b'id="home-coach"' in client.get("/").content


def test_mismatched_or_weak_passwords_are_explained_and_nothing_is_created(acme, mailoutbox, committed):
    invite(acme, client_at(acme, acme.admin), committed)
    path = invitation_path(mailoutbox[-1])
    client = Client(HTTP_HOST=acme.host)
    response = client.post(path, {"full_name": "N", "password1": PASSWORD, "password2": "other"})
    assert b"The two passwords differ" in response.content
    response = client.post(path, {"full_name": "N", "password1": "123", "password2": "123"})
    assert b"too short" in response.content
    assert not User.objects.filter(email="new.coach@example.com").exists()


def test_inviting_someone_already_in_that_role_is_refused(acme, in_practice):
    with in_practice(acme), pytest.raises(ValidationError, match="already a coach"):
        invite_person(email=acme.coach.email, role="coach", invited_by=acme.admin, base_url="http://x")


def test_a_malformed_email_gets_a_message_next_to_the_field_and_nothing_is_sent(acme, mailoutbox, committed):
    response = invite(acme, client_at(acme, acme.admin), committed, email="not-an-email")
    assert response.status_code == 422
    assert b'id="id_email_error"' in response.content
    assert mailoutbox == []


def test_only_admins_can_invite(acme):
    for user in (acme.coach, acme.coachee, acme.sponsor):
        assert client_at(acme, user).get("/practice/people/invite/").status_code == 404
