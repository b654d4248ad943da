"""Benchmarks of coaches' own calendars (registered through BENCH_MODULES).

`calendars`: a local Radicale (started here, on loopback, its storage in memory under /dev/shm
where the machine has it, else in var/bench/radicale) holds 200 coaches' calendars of 500 events
each (single events across the booking horizon, most in UTC, every fifth in a named zone with its
VTIMEZONE, every tenth a weekly series), written straight into its storage as Radicale lays it out;
Radicale then reads every event into its caches with its own code, one process per core
(bench/radicale_cache.py), as a server that calendar apps have long been syncing would have them.
Each coach of the practice `calbench` connects over CalDAV (discovery through the ordinary
service); then every connection is synced, one after another as the beat's tasks would in one
worker, through the real sync code against that Radicale: `calendar_sync_seconds=S` (the first
sync of all 200: every event fetched, expanded and stored), `calendar_resync_seconds=S` (the next
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
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from bench import BenchError, bench
from bench.environment import BASE_DIR, HOST, VAR
from bench.runner import Run

# BENCH_CALENDAR_COACHES / BENCH_CALENDAR_EVENTS make a smaller run (a quick check of the bench itself).
COACHES = int(os.environ.get("BENCH_CALENDAR_COACHES", 200))
EVENTS = int(os.environ.get("BENCH_CALENDAR_EVENTS", 500))
BUSY_BLOCKS = 2000
SLOT_RUNS = 50
PASSWORD = "bench-app-password"
# A zoned event carries its VTIMEZONE, as calendar apps write it (RFC 5545 asks for one for every
# TZID; without it Radicale's vobject builds one from pytz, ~50 ms an event).
VTIMEZONES = {
    "Europe/London": ("BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\nDTSTART:19700329T010000\r\n"
                      "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0100\r\n"
                      "TZOFFSETTO:+0000\r\nTZNAME:GMT\r\nDTSTART:19701025T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
                      "END:STANDARD\r\n"),
    "Europe/Berlin": ("BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\n"
                      "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\n"
                      "TZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
                      "END:STANDARD\r\n"),
    "America/New_York": ("BEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nDTSTART:20070311T020000\r\n"
                         "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\n"
                         "TZOFFSETTO:-0500\r\nTZNAME:EST\r\nDTSTART:20071104T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"
                         "END:STANDARD\r\n"),
    "Asia/Singapore": ("BEGIN:STANDARD\r\nTZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nTZNAME:+08\r\nDTSTART:19700101T000000\r\n"
                       "END:STANDARD\r\n"),
}
ZONES = list(VTIMEZONES)


def _event(number: int, coach: int) -> str:
    """A VCALENDAR with one event: 45 minutes at a working hour somewhere in the next 60 days. Most
    are stored in UTC; every fifth in a named zone with its VTIMEZONE, and every tenth of those is a
    weekly series (a series follows its zone across DST)."""
    now = timezone.now()
    day = (now + timedelta(days=(number * 7 + coach) % 60)).strftime("%Y%m%d")
    hour = 8 + (number * 3 + coach) % 9
    if number % 5:
        zone_text, start, end = "", f":{day}T{hour:02d}0000Z", f":{day}T{hour:02d}4500Z"
    else:
        zone = ZONES[(number // 5) % len(ZONES)]
        zone_text = f"BEGIN:VTIMEZONE\r\nTZID:{zone}\r\n{VTIMEZONES[zone]}END:VTIMEZONE\r\n"
        start, end = f";TZID={zone}:{day}T{hour:02d}0000", f";TZID={zone}:{day}T{hour:02d}4500"
    rule = "RRULE:FREQ=WEEKLY;COUNT=8\r\n" if number % 10 == 0 else ""
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CoachHub bench//EN\r\n{zone_text}BEGIN:VEVENT\r\n"
        f"UID:bench-{coach}-{number}@calendar.example\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART{start}\r\nDTEND{end}\r\n{rule}SUMMARY:Meeting {number}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _storage_folder() -> Path:
    """A fresh folder for Radicale's storage, in memory (tmpfs) where the machine has one: creating a
    file on this machine's disk takes ~0.5 ms, and Radicale's caches create two (each through a
    temporary folder) per event. Removed at the end of the bench."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="coachhub-bench-radicale-", dir=shm))
    shutil.rmtree(VAR / "radicale", ignore_errors=True)
    return VAR / "radicale"


def _write_storage(folder: Path) -> None:
    """Users and calendars straight into Radicale's file storage (100,000 PUTs would measure Radicale)."""
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


def _build_caches(folder) -> None:
    """Radicale parses every stored event into its caches, one process per core (bench/radicale_cache.py)."""
    users = [f"calcoach{coach:03d}" for coach in range(1, COACHES + 1)]
    workers = max(1, min(os.cpu_count() or 1, len(users)))
    processes = [
        subprocess.Popen([sys.executable, "-m", "bench.radicale_cache", str(folder), *users[n::workers]],
                         cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(workers)
    ]
    read = 0
    for process in processes:
        out, err = process.communicate()
        if process.returncode != 0:
            raise BenchError(f"Radicale could not read the bench's calendars: {err.strip()[-500:]}")
        read += int(out.strip() or 0)
    if read != COACHES * EVENTS:
        raise BenchError(f"Radicale read {read} events, not {COACHES * EVENTS}")


def _connect(practice, profiles, port: int) -> list:
    """Every coach connects over CalDAV through the ordinary service (discovery included), each in
    its own transaction as a request would. Connecting queues a first sync for the worker, sent at
    commit; the bench runs and times the first syncs itself, so those queued here are dropped."""
    from coachhub.celery import app
    from coachhub.roster.calendars import services
    from coachhub.roster.calendars.models import ConnectedCalendar
    from coachhub.tenancy.context import practice_context

    connections = []
    app.conf.task_always_eager = False
    try:
        for n, profile in enumerate(profiles, start=1):
            with practice_context(practice):
                connections.append(services.connect_caldav(
                    profile=profile, actor=None, url=f"http://127.0.0.1:{port}/", username=f"calcoach{n:03d}",
                    password=PASSWORD,
                ))
    finally:
        app.conf.task_always_eager = True
    app.control.purge()
    with practice_context(practice):
        if ConnectedCalendar.objects.exclude(sync_token="").exists():
            raise BenchError("connecting synced already: the first sync would not be the one timed")
    return connections


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


def _sync_all(run: Run, folder: Path) -> None:
    """Every coach connects, then every connection is synced twice, timed: first and unchanged."""
    from coachhub.roster.calendars.sync import sync_connection
    from coachhub.tenancy.context import practice_context
    from coachhub.tenancy.models import Practice

    process, port = _start_radicale(folder)
    try:
        practice, _ = Practice.objects.get_or_create(slug="calbench", defaults={"name": "Calendar Bench"})
        with practice_context(practice):
            profiles = _coaches(practice)  # and the last run's connections removed
        started = time.monotonic()
        connections = _connect(practice, profiles, port)
        run.say(f"{COACHES} coaches connected over CalDAV (discovery) in {time.monotonic() - started:.1f} s")
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


@bench("calendars", "sync 200 coaches' CalDAV calendars of 500 events (local Radicale); slots API with 2,000 busy blocks")
def calendars(run: Run) -> None:
    from django.conf import settings
    from django.test import Client

    from bench.pages import in_process

    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = True  # the bench's Radicale listens on loopback
    folder = _storage_folder()
    try:
        started = time.monotonic()
        _write_storage(folder)
        run.say(f"wrote {COACHES} calendars of {EVENTS} events into Radicale's storage ({folder}) in "
                f"{time.monotonic() - started:.1f} s")
        # Radicale parses every stored event once and keeps it in its caches: done before the clock
        # starts, as a live server (whose calendars apps sync) would have long done it.
        started = time.monotonic()
        _build_caches(folder)
        run.say(f"Radicale read its {COACHES * EVENTS} stored events into its caches in {time.monotonic() - started:.1f} s")
        _sync_all(run, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
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
