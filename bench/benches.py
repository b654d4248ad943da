"""The benches of the coach directory and the booking slots (issue 3, "Speed")."""

from __future__ import annotations

import json
import statistics
import time
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import BenchError, bench

if TYPE_CHECKING:
    from bench.runner import Run

SLOT_DAYS = 60
SLOT_ZONE = "Europe/London"
COMPUTE_RUNS = 20


def _slot_range() -> tuple:
    today = timezone.now().astimezone(ZoneInfo(SLOT_ZONE)).date()
    return today, today + timedelta(days=SLOT_DAYS - 1)


@bench("directory", "GET /api/v1/coaches and the /coaches/ page under load", server=True)
def directory(run: Run) -> None:
    coaches = json.loads(run.server.smoke("/api/v1/coaches"))
    if len(coaches) != run.data.coach_count:
        raise BenchError(f"/api/v1/coaches lists {len(coaches)} coaches, not the {run.data.coach_count} seeded.")
    run.load("/api/v1/coaches", label="directory_api")
    run.load("/coaches/", label="directory_page")


@bench("slots", "GET /api/v1/coaches/<busy coach>/slots for 60 days (Europe/London) under load", server=True)
def slots(run: Run) -> None:
    first, last = _slot_range()
    path = f"/api/v1/coaches/{run.data.busy_profile_id}/slots?start={first}&end={last}&tz={SLOT_ZONE}"
    answer = json.loads(run.server.smoke(path))
    if not answer.get("slots"):
        raise BenchError(f"{path} lists no free slots: the benchmark's coach has no hours?")
    run.say(f"the busy coach has {len(answer['slots'])} free slots in the next {SLOT_DAYS} days")
    run.load(path, label="slots_api")


@bench("slots_queries", "free_slots for the busy coach over 60 days, in-process: queries and median ms")
def slots_queries(run: Run) -> None:
    from coachhub.roster.models import CoachProfile
    from coachhub.tenancy.context import practice_context
    from engagements.models import Booking
    from engagements.selectors import free_slots

    first, last = _slot_range()
    zone = ZoneInfo(SLOT_ZONE)
    with practice_context(run.data.practice):
        profile = CoachProfile.objects.get(pk=run.data.busy_profile_id)
        in_range = Booking.objects.filter(
            coach_id=profile.user_id, is_active=True, starts_at__date__gte=first, starts_at__date__lte=last
        ).count()
        timings, counts = [], set()
        slots: list = []
        for attempt in range(COMPUTE_RUNS + 1):  # the first run warms up, and is not counted
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                slots = free_slots(profile, first_day=first, last_day=last, zone=zone)
                elapsed = time.perf_counter() - started
            if attempt:
                timings.append(elapsed * 1000)
                counts.add(len(queries.captured_queries))
    run.say(
        f"free_slots over {SLOT_DAYS} days ({first} to {last}, {SLOT_ZONE}), {COMPUTE_RUNS} runs: "
        f"{len(slots)} free slots, {in_range} bookings in the range, {run.data.busy_bookings} in the calendar"
    )
    if len(counts) > 1:
        run.say(f"the query count varied between runs: {sorted(counts)}")
    run.figure("slots_queries", max(counts))
    run.figure("slots_compute_median_ms", statistics.median(timings))
