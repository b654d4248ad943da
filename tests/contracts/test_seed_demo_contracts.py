"""`seed_demo` gives the contracts the contracting issue names, and running it twice changes nothing."""

import pytest
from django.core.management import call_command
from django.test import Client

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice
from engagements.contract_selectors import verify_version
from engagements.models import (
    Acceptance,
    ContractingSession,
    ContractVersion,
    Engagement,
)

pytestmark = pytest.mark.django_db


def counts():
    rows = []
    for practice in Practice.objects.order_by("slug"):
        with practice_context(practice):
            rows.append((ContractVersion.objects.count(), Acceptance.objects.count(), ContractingSession.objects.count(),
                         Engagement.objects.count()))
    return rows


def test_seed_demo_gives_an_awaiting_three_way_contract_and_an_accepted_one():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    for slug in ("acme", "globex"):
        with practice_context(Practice.objects.get(slug=slug)):
            awaiting = ContractVersion.objects.get(coachee__email=f"coachee2@{slug}.example")
            assert awaiting.status == "sent" and not awaiting.acceptances.exists()
            assert awaiting.coach.email == f"coach@{slug}.example" and awaiting.sponsor.email == f"sponsor@{slug}.example"
            assert awaiting.engagement.stage == "contracting" and awaiting.objectives.count() == 2
            active = Engagement.objects.get(coachee__email=f"coachee@{slug}.example", stage="active")
            accepted = active.contract_versions.get()
            assert accepted.status == "accepted" and accepted.coach.email == f"coach@{slug}.example"
            assert {a.role for a in accepted.acceptances.all()} == {"coachee", "coach", "sponsor"}
            assert all(check.matches for check in verify_version(accepted))
            # The open chemistry enquiry of coachee@ is still there, apart.
            assert Engagement.objects.filter(coachee__email=f"coachee@{slug}.example", stage="chemistry").exists()


def test_the_demo_sponsor_sees_the_contract_awaiting_them():
    call_command("seed_demo")
    client = Client(HTTP_HOST="acme.localhost:8000")
    client.post("/accounts/login/", {"login": "sponsor@acme.example", "password": "coachhub-demo"})
    assert "Review the contract for" in client.get("/").content.decode()
