"""Benchmarks of coaches' own calendars (registered through BENCH_MODULES).

`calendars`: a local Radicale (started here, on loopback, in var/bench/radicale) holds 200 coaches'
calendars of 500 events each (single events across the booking horizon, every tenth a weekly
series, some in other zones), written straight into its storage. Each coach of the practice
`calbench` connects over CalDAV (discovery through the ordinary service); then every connection
is synced, one after another as the beat's tasks would in one worker:
`calendar_sync_seconds=S` (the first sync of all 200), `calendar_resync_seconds=S` (the next
sync, nothing changed: one request each). Then the bench's busy coach gets 2,000 busy blocks and
its slots API is asked in-process: `slots_with_busy_p95_ms`, `slots_with_busy_queries` (the same
as `slots_without_busy_queries`, printed before the blocks are added).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import timedelta

from django.utils import timezone

from bench import BenchError, bench
from bench.environment import HOST, VAR
from bench.runner import Run

# BENCH_CALENDAR_COACHES / BENCH_CALENDAR_EVENTS make a smaller run (a quick check of the bench itself).
COACHES = int(os.environ.get("BENCH_CALENDAR_COACHES", 200))
EVENTS = int(os.environ.get("BENCH_CALENDAR_EVENTS", 500))
BUSY_BLOCKS = 2000
SLOT_RUNS = 50
PASSWORD = "bench-app-password"
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore"]


def _event(number: int, coach: int) -> str:
    """A VCALENDAR with one event: 45 minutes at a working hour somewhere in the next 60 days."""
    now = timezone.now()
    day = (now + timedelta(days=(number * 7 + coach) % 60)).strftime("%Y%m%d")
    hour = 8 + (number * 3 + coach) % 9
    zone = ZONES[number % len(ZONES)]
    rule = "RRULE:FREQ=WEEKLY;COUNT=8\r\n" if number % 10 == 0 else ""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CoachHub bench//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:bench-{coach}-{number}@calendar.example\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART;TZID={zone}:{day}T{hour:02d}0000\r\nDTEND;TZID={zone}:{day}T{hour:02d}4500\r\n{rule}"
        f"SUMMARY:Meeting {number}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _write_storage(folder) -> None:
    """Users and calendars straight into Radicale's file storage (100,000 PUTs would measure Radicale)."""
    shutil.rmtree(folder, ignore_errors=True)
    root = folder / "collections" / "collection-root"
    users = []
    for coach in range(1, COACHES + 1):
        name = f"calcoach{coach:03d}"
        users.append(f"{name}:{PASSWORD}")
        calendar = root / name / "work"
        calendar.mkdir(parents=True)
        (root / name / ".Radicale.props").write_text("{}")
        (calendar / ".Radicale.props").write_text(json.dumps({"D:displayname": "Work", "tag": "VCALENDAR"}))
        for number in range(EVENTS):
            (calendar / f"event-{number}.ics").write_text(_event(number, coach))
    (folder / "users").write_text("\n".join(users) + "\n")


def _start_radicale(folder) -> tuple[subprocess.Popen, int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", f"--storage-filesystem-folder={folder / 'collections'}",
         f"--server-hosts=127.0.0.1:{port}", "--auth-type=htpasswd", f"--auth-htpasswd-filename={folder / 'users'}",
         "--auth-htpasswd-encryption=plain", "--logging-level=warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise BenchError("Radicale did not start (is the test extra installed?)")


def _warm(port: int, user: str) -> None:
    import requests

    answer = requests.request("PROPFIND", f"http://127.0.0.1:{port}/{user}/work/", auth=(user, PASSWORD),
                              headers={"Depth": "1"}, timeout=300)
    if answer.status_code != 207:
        raise BenchError(f"Radicale answered {answer.status_code} for {user}'s calendar")


def _coaches(practice) -> list:
    from coachhub.accounts.models import User
    from coachhub.roster.calendars.models import CalendarConnection
    from coachhub.roster.models import CoachProfile
    from coachhub.tenancy.models import Membership, Role

    CalendarConnection.objects.all().delete()
    profiles = []
    for coach in range(1, COACHES + 1):
        email = f"calcoach{coach:03d}@calbench.example"
        user = User.objects.filter(email=email).first() or User.objects.create_user(email, None, full_name=f"Calendar Coach {coach}")
        Membership.objects.get_or_create(user=user, role=Role.COACH)
        profile, _ = CoachProfile.objects.get_or_create(user=user, defaults={"time_zone": "Europe/London", "horizon_days": 60})
        profiles.append(profile)
    return profiles


@bench("calendars", "sync 200 coaches' CalDAV calendars of 500 events (local Radicale); slots API with 2,000 busy blocks")
def calendars(run: Run) -> None:
    from django.conf import settings
    from django.test import Client

    from bench.pages import in_process
    from coachhub.roster.calendars import services
    from coachhub.roster.calendars.sync import sync_connection
    from coachhub.tenancy.context import practice_context
    from coachhub.tenancy.models import Practice

    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = True  # the bench's Radicale listens on loopback
    folder = VAR / "radicale"
    started = time.monotonic()
    _write_storage(folder)
    run.say(f"wrote {COACHES} calendars of {EVENTS} events into Radicale's storage in {time.monotonic() - started:.1f} s")
    process, port = _start_radicale(folder)
    try:
        # Radicale parses every stored event on its first look at a calendar: done before the clock
        # starts, as a live server would have long done it.
        started = time.monotonic()
        for coach in range(1, COACHES + 1):
            _warm(port, f"calcoach{coach:03d}")
        run.say(f"Radicale read its {COACHES * EVENTS} stored events in {time.monotonic() - started:.1f} s")
        practice, _ = Practice.objects.get_or_create(slug="calbench", defaults={"name": "Calendar Bench"})
        with practice_context(practice):
            profiles = _coaches(practice)
            connections = [
                services.connect_caldav(profile=profile, actor=None, url=f"http://127.0.0.1:{port}/",
                                        username=f"calcoach{n:03d}", password=PASSWORD)
                for n, profile in enumerate(profiles, start=1)
            ]
        for label in ("calendar_sync_seconds", "calendar_resync_seconds"):
            started = time.monotonic()
            outcomes = [sync_connection(practice=practice, connection_id=c.pk) for c in connections]
            elapsed = time.monotonic() - started
            failing = [o for o in outcomes if o is None or o.status != "ok"]
            if failing:
                raise BenchError(f"{len(failing)} of {COACHES} syncs failed: {failing[0]}")
            run.say(f"{label}: {COACHES} connections, {sum(o.busy_blocks for o in outcomes)} busy blocks")
            run.figure(label, elapsed)
    finally:
        process.terminate()
        process.wait(timeout=10)
    _slots_with_busy(run, in_process, Client)


def _slots_with_busy(run: Run, in_process, client_class) -> None:
    from zoneinfo import ZoneInfo

    from coachhub.roster.calendars.models import BusyBlock, CalendarConnection, ConnectedCalendar
    from coachhub.roster.calendars.sync import seal
    from coachhub.roster.models import CoachProfile
    from coachhub.tenancy.context import practice_context

    zone = ZoneInfo("Europe/London")
    today = timezone.now().astimezone(zone).date()
    path = f"/api/v1/coaches/{run.data.busy_profile_id}/slots?start={today}&end={today + timedelta(days=59)}&tz=Europe/London"
    client = client_class(HTTP_HOST=HOST)
    with practice_context(run.data.practice):
        profile = CoachProfile.objects.get(pk=run.data.busy_profile_id)
        CalendarConnection.objects.filter(coach=profile).delete()
    in_process(run, client, label="slots_without_busy", path=path, expect='"slots"', runs=5)
    with practice_context(run.data.practice):
        now = timezone.now()
        connection = CalendarConnection.objects.create(
            coach=profile, kind="ical", host="calendar.example", secret_ciphertext=seal({"url": "https://calendar.example/b.ics"}),
            status="ok", last_good_sync_at=now, last_attempt_at=now,
        )
        calendar = ConnectedCalendar.objects.create(connection=connection, url="subscription", name="Bench")
        # 2,000 blocks of 20 minutes, 43 minutes apart: about 33 a day over the 60 days.
        BusyBlock.objects.bulk_create([
            BusyBlock(practice=run.data.practice, coach_id=profile.user_id, connection=connection, calendar=calendar,
                      source="feed", starts_at=now + timedelta(minutes=43 * n), ends_at=now + timedelta(minutes=43 * n + 20))
            for n in range(BUSY_BLOCKS)
        ], batch_size=1000)
    in_process(run, client, label="slots_with_busy", path=path, expect='"slots"', runs=SLOT_RUNS)
