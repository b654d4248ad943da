"""The demo: coachee2@ has asked to be erased, and the request waits on each practice's admin list,
whose confirmation page says why erasure must wait (their contract is still being agreed)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice
from demo.journey import DEMO_PASSWORD, PRACTICES
from records.models import ErasureRequest

pytestmark = pytest.mark.django_db


def test_each_admin_finds_coachee2s_erasure_request_waiting_and_why_it_must_wait():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent
    for slug, spec in PRACTICES.items():
        practice = Practice.objects.get(slug=slug)
        with practice_context(practice):
            waiting = list(ErasureRequest.objects.select_related("person"))
        assert [(r.person.email, r.status) for r in waiting] == [(f"coachee2@{slug}.example", "pending")]
        admin = Client(HTTP_HOST=practice.host)
        assert admin.post("/accounts/login/", {"login": f"admin@{slug}.example", "password": DEMO_PASSWORD}).status_code == 302
        listing = admin.get("/practice/data-requests/").content.decode()
        assert spec["people"]["coachee2"][0] in listing and "Review and erase" in listing
        page = admin.get(f"/practice/data-requests/people/{waiting[0].person_id}/erase/").content.decode()
        assert "has an active engagement" in page
