"""`seed_demo` gives two practices with every role; running it twice changes nothing."""

import pytest
from django.core.management import call_command
from django.test import Client

from coachhub.accounts.models import User
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import ClientOrganisation, Membership, Practice

pytestmark = pytest.mark.django_db

ROLES = {"admin": "admin", "coach": "coach", "coach2": "coach", "coachee": "coachee", "coachee2": "coachee", "sponsor": "sponsor"}


def snapshot():
    rows = []
    for practice in Practice.objects.order_by("slug"):
        with practice_context(practice):
            rows.append((practice.slug, Membership.objects.count(), ClientOrganisation.objects.count()))
    return rows, User.objects.count()


def test_seed_demo_is_idempotent_and_complete():
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert first[0] == [("acme", 6, 1), ("globex", 6, 1)]
    for slug in ("acme", "globex"):
        practice = Practice.objects.get(slug=slug)
        with practice_context(practice):
            for local, role in ROLES.items():
                user = User.objects.get(email=f"{local}@{slug}.example")
                assert user.check_password("coachhub-demo")
                assert user.emailaddress_set.get().verified
                assert Membership.objects.filter(user=user, role=role, is_active=True).exists()
            organisation = ClientOrganisation.objects.get()
            assert Membership.objects.get(role="sponsor").client_organisation == organisation


@pytest.mark.parametrize("local", ["admin", "coach", "coach2", "coachee", "coachee2", "sponsor"])
def test_every_demo_login_signs_in_at_its_practice_only(local):
    call_command("seed_demo")
    acme = Client(HTTP_HOST="acme.localhost:8000")
    response = acme.post("/accounts/login/", {"login": f"{local}@acme.example", "password": "coachhub-demo"})
    assert response.status_code == 302
    assert b"Welcome," in acme.get("/").content
    globex = Client(HTTP_HOST="globex.localhost:8000")
    refused = globex.post("/accounts/login/", {"login": f"{local}@acme.example", "password": "coachhub-demo"})
    assert refused.status_code == 200 and b"has no access to Globex Leadership" in refused.content
