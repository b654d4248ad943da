"""Platform staff create and suspend practices in Django admin on the bare domain."""

import re

import pytest
from django.test import Client

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Invitation, Practice
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    staff = make_user("staff@coachhub.test")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client = Client(HTTP_HOST="localhost:8000")
    assert client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD}).status_code == 302
    return client


def test_staff_create_a_practice_and_its_first_admin_is_invited(staff_client, mailoutbox, committed):
    with committed():
        response = staff_client.post(
            "/admin/tenancy/practice/add/",
            {"slug": "initech", "name": "Initech Coaching", "time_zone": "Europe/Paris", "admin_email": "boss@initech.test"},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    practice = Practice.objects.get(slug="initech")
    with practice_context(practice):
        assert Invitation.objects.get().email == "boss@initech.test"
    link = re.search(r"http://initech\.localhost:8000/invitations/\S+/", mailoutbox[-1].body)
    assert link, mailoutbox[-1].body
    assert Client(HTTP_HOST="initech.localhost:8000").get("/").status_code == 200


@pytest.mark.parametrize("object_id", ["999999", "add/widgets.css"])
def test_a_practice_address_that_names_no_practice_is_no_server_error(staff_client, object_id):
    response = staff_client.get(f"/admin/tenancy/practice/{object_id}/change/")
    assert response.status_code == 302 and response["Location"] == "/admin/", response.status_code


def test_a_bad_slug_is_explained(staff_client):
    response = staff_client.post("/admin/tenancy/practice/add/", {"slug": "Not OK!", "name": "X", "time_zone": "UTC"})
    assert response.status_code == 200
    assert "lower-case letters" in response.content.decode()


def test_staff_suspend_and_reactivate_a_practice(staff_client, acme):
    response = staff_client.post(
        "/admin/tenancy/practice/", {"action": "suspend", "_selected_action": [acme.practice.pk]}
    )
    assert response.status_code == 302
    assert Client(HTTP_HOST=acme.host).get("/").status_code == 403
    staff_client.post("/admin/tenancy/practice/", {"action": "reactivate", "_selected_action": [acme.practice.pk]})
    assert Client(HTTP_HOST=acme.host).get("/").status_code == 200


def test_practice_members_cannot_use_django_admin(acme):
    client = Client(HTTP_HOST="localhost")
    response = client.post("/accounts/login/", {"login": acme.admin.email, "password": PASSWORD})
    assert "Only CoachHub platform staff" in response.content.decode()
    assert client.get("/admin/").status_code == 302
