"""What the booking-API tests share: a fixed "now", coaches to book, requests to the API."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Membership, Role
from tests.conftest import make_user, publish_coach

UTC = ZoneInfo("UTC")
# Friday 20 March 2026, noon UTC: London changes to summer time nine days later.
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
# Monday 23 March 2026, 09:00 in London (GMT): a free slot of every `bookable_coach`.
SLOT = "2026-03-23T09:00:00+00:00"


@pytest.fixture
def frozen_now(monkeypatch):
    """Every `timezone.now()` (slots, services, the API) reads NOW."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW


def bookable_coach(cast, user=None, *, is_published: bool = True, **fields):
    """A coach profile in `cast`'s practice (for its `coach` by default), published unless
    said otherwise: Monday–Friday 09–17 London, no notice, no buffer, 30-minute calls."""
    with practice_context(cast.practice):
        profile = publish_coach(user or cast.coach, **fields)
        if not is_published:
            profile.is_published = False
            profile.save()
        return profile


def new_coach(cast, email: str, name: str = "", **fields):
    """Another coach in `cast`'s practice, with a profile (see bookable_coach)."""
    with practice_context(cast.practice):
        user = make_user(email, name)
        Membership.objects.create(user=user, role=Role.COACH)
    return bookable_coach(cast, user, **fields)


def booking(profile, **changes) -> dict:
    body = {
        "coach": profile.pk, "start": SLOT, "name": "Grace Hopper", "email": "grace@example.com",
        "objectives": "Lead the newly merged platform team well.", "tz": "Europe/London",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def api(cast, **extra) -> Client:
    return Client(HTTP_HOST=cast.host, **extra)


def post_booking(cast, body, client: Client | None = None, **extra):
    content = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return (client or api(cast)).post("/api/v1/chemistry-calls", content, content_type="application/json", **extra)
