"""Schemathesis against /api/v1/openapi.json on a practice's host: every check, in every phase
(examples, coverage, fuzzing, stateful), positive and negative data, nothing excluded, with no
server error and no response outside the description. The description's examples are dated from
the day it is served, so the examples phase books a time still to come whenever it runs.

The run is the real CLI (`st run`) against the live server, so what it tests is what a client
gets over HTTP. Rate limits are raised for it: a fuzzer sends hundreds of bookings a minute,
and a 429 to each would test nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Domain
from tests.conftest import make_practice, publish_coach

pytestmark = pytest.mark.django_db(transaction=True)

ST = Path(sys.executable).with_name("st")

# Rules JSON Schema cannot state for one value, so a request the schema allows may still be
# refused (each is stated in the operation's description): slots are asked for a range of at
# most 62 days with `end` on or after `start` (400); a booking's `start` must be in the future
# and within a year (422).
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "404", "409", "429"]

[[operations]]
include-operation-id = "listFreeSlots"
parameters = {{ coach_id = {coach_id} }}
checks.positive_data_acceptance.expected-statuses = ["2xx", "400"]

[[operations]]
include-operation-id = "bookChemistryCall"
checks.positive_data_acceptance.expected-statuses = ["201", "404", "409", "422"]
"""


@pytest.fixture
def api_origin(live_server, settings):
    """Acme, with a published coach, served at http://127.0.0.1:<port> (a custom domain)."""
    settings.BOOKING_RATE_LIMIT_PER_IP = "100000/h"
    settings.BOOKING_RATE_LIMIT_PER_EMAIL = "100000/h"
    cast = make_practice("acme", "Acme Coaching")
    with practice_context(cast.practice):
        Domain.objects.create(host="127.0.0.1")
        profile = publish_coach(cast.coach, specialisms=["Resilience"], languages=["English"])
    return f"http://127.0.0.1:{live_server.thread.port}", profile


def test_the_api_meets_its_openapi_description(api_origin, tmp_path):
    origin, profile = api_origin
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.format(coach_id=profile.pk))
    report = tmp_path / "report.json"
    run = subprocess.run(
        [
            str(ST), "--config-file", str(config), "run", f"{origin}/api/v1/openapi.json",
            "--checks", "all", "--mode", "all",
            "--max-examples", "25", "--seed", "11", "--workers", "1", "--request-timeout", "10",
            "--no-color", "--report", "json", "--report-json-path", str(report),
        ],
        capture_output=True, text=True, timeout=480, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
