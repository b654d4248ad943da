"""Many leaders submit the same slot at the same moment, over real HTTP to a threaded live
server with its own database connection per request: PostgreSQL lets exactly one win."""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from coachhub.accounts.models import User
from coachhub.tenancy.context import practice_context
from coachhub.roster.models import Booking
from engagements.models import ChemistryCall, Engagement
from tests.engagements.test_api_support import bookable_coach, booking, frozen_now  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen_now")]

RACERS = 10


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """Rate-limit counters of this test's own, shared with the live server thread (one
    process): a test run elsewhere on the same Redis database (same loopback address, maybe
    the same practice ids) must not count against these requests, nor flush them."""
    settings.CACHES = {
        "default": {
            **{key: value for key, value in settings.CACHES["default"].items() if key != "OPTIONS"},
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"coachhub-api-race-{os.getpid()}",
        },
    }
    settings.BOOKING_RATE_LIMIT_PER_IP = settings.BOOKING_RATE_LIMIT_PER_EMAIL = "100/h"


def race(live_server, cast, bodies: list[dict]) -> list[tuple[int, dict]]:
    """POST every body at once (a barrier releases the threads together); (status, json) each."""
    port = urlsplit(live_server.url).port
    barrier = threading.Barrier(len(bodies))
    results: list = [None] * len(bodies)

    def submit(index: int, body: dict) -> None:
        # urllib may not resolve *.localhost: connect to loopback, name the practice's host.
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/chemistry-calls", data=json.dumps(body).encode(), method="POST",
            headers={"Host": f"{cast.host}:{port}", "Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                results[index] = (response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            results[index] = (error.code, json.loads(error.read()))

    threads = [threading.Thread(target=submit, args=(n, body)) for n, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_many_leaders_racing_for_one_slot_exactly_one_wins(live_server, acme):
    profile = bookable_coach(acme)
    bodies = [booking(profile, email=f"leader{n}@example.com", name=f"Leader {n}") for n in range(RACERS)]
    results = race(live_server, acme, bodies)
    statuses = sorted(status for status, _body in results)
    assert statuses == [201] + [409] * (RACERS - 1), results
    for status, body in results:
        if status == 409:
            assert body["code"] in {"slot_taken", "not_a_slot"}
            assert list(body["errors"]) == ["start"]
    [winner] = [body for status, body in results if status == 201]
    with practice_context(acme.practice):
        assert Booking.objects.filter(is_active=True).count() == 1
        assert ChemistryCall.objects.get().pk == winner["id"]
        # The losers' accounts and enquiries were rolled back with their bookings.
        assert Engagement.objects.count() == 1
    assert User.objects.filter(email__startswith="leader").count() == 1


def test_one_leader_double_submitting_at_the_same_moment_gets_one_booking(live_server, acme):
    profile = bookable_coach(acme)
    results = race(live_server, acme, [booking(profile), booking(profile)])
    assert [status for status, _body in results] == [201, 201], results
    assert results[0][1] == results[1][1]
    with practice_context(acme.practice):
        assert Booking.objects.filter(is_active=True).count() == 1
        assert ChemistryCall.objects.count() == 1
    assert User.objects.filter(email="grace@example.com").count() == 1
