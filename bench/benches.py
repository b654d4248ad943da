"""The benches of the coach directory and the booking slots (issue 3, "Speed"), and of contract
PDFs (issue 4)."""

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
from bench.pages import PDF_RUNS, in_process, median_render, signed_in, under_load

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
    from coachhub.roster.models import Booking, CoachProfile
    from coachhub.tenancy.context import practice_context
    from coachhub.roster.slots import free_slots

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


PDF_OBJECTIVES = 6


def _bench_contract(coach_profile):
    """A three-way contract accepted by every party: six objectives, the default sections with
    a few paragraphs more (about three A4 pages). Built in the caller's transaction."""
    from datetime import date

    from coachhub.accounts.models import User
    from coachhub.tenancy.models import ClientOrganisation, Membership, Role
    from engagements.contracting import answers, drafts
    from engagements.models import Engagement

    coach = coach_profile.user
    coachee = User.objects.create_user("contract-coachee@bench.example", None, full_name="Bench Coachee")
    sponsor = User.objects.create_user("contract-sponsor@bench.example", None, full_name="Bench Sponsor")
    organisation, _ = ClientOrganisation.objects.get_or_create(name="Bench Client Ltd")
    Membership.objects.create(user=coachee, role=Role.COACHEE, client_organisation=organisation)
    Membership.objects.create(user=sponsor, role=Role.SPONSOR, client_organisation=organisation)
    engagement = Engagement.objects.create(
        coachee=coachee, coach=coach, stage=Engagement.Stage.CONTRACTING, objectives="Lead the merged operations team.",
    )
    version = drafts.draft_contract(engagement=engagement, actor=coach)
    longer = {f"section_{key}": f"{text}\n\n{text}" for key, _, text in version.sections() if key in ("roles", "confidentiality")}
    drafts.update_contract_draft(
        version=version, actor=coach,
        changes={"sponsor": sponsor, "start_date": date(2027, 1, 11), "end_date": date(2027, 7, 9), **longer},
        objectives=[{
            "description": f"Objective {n}: delegate the weekly operations review to the team leads and hold them to it.",
            "success_measure": "Leads run the review alone for four weeks in a row; escalations fall by half.",
            "rated_by_coachee": True, "rated_by_coach": True, "rated_by_sponsor": n % 2 == 0, "baseline": 3 + n % 5,
            "target": 8,
        } for n in range(1, PDF_OBJECTIVES + 1)],
    )
    version = drafts.send_contract(version=version, actor=coach, base_url="", notify=False)
    for party in (coachee, coach, sponsor):
        answers.accept_contract(
            version=version, party=party, text_sha256=version.text_sha256, ip_address="192.0.2.10", base_url="", notify=False,
        )
    return version


@bench("contract_pdf", "render a three-way contract PDF (6 objectives, 3 acceptances) in-process: median ms")
def contract_pdf(run: Run) -> None:
    from django.db import transaction

    from coachhub.roster.models import CoachProfile
    from coachhub.tenancy.context import practice_context
    from engagements.models import ContractVersion
    from engagements.pdf import contract_document, render_contract_pdf

    with transaction.atomic(), practice_context(run.data.practice):
        # Built and rolled back: the bench database keeps no contract between runs.
        built = _bench_contract(CoachProfile.objects.select_related("user").get(pk=run.data.busy_profile_id))
        version = ContractVersion.objects.select_related("coachee", "coach", "sponsor", "client_organisation").prefetch_related(
            "objectives", "acceptances__party"
        ).get(pk=built.pk)
        document, median = median_render(lambda: render_contract_pdf(version))
        pages = len(contract_document(version).pages)
        transaction.set_rollback(True)
    run.say(f"contract PDF: {pages} pages, {len(document) // 1024} KiB, {PDF_RUNS} renders after one warm-up")
    run.figure("contract_pdf_pages", pages)
    run.figure("contract_pdf_median_ms", median)


SESSIONS_COUNT = 50
ACTIONS_EACH = 4  # 200 actions
PAGE_RUNS = 50
SESSIONS_COACH_EMAIL = "coach02@bench.example"  # not the busy coach: these bookings need a free calendar
SESSIONS_COACHEE_EMAIL = "sessions-coachee@bench.example"


def _sessions_engagement(practice):
    """An active engagement of coach02 with 50 past sessions (odd ones held and logged with notes
    and summaries, even ones not logged yet) and 200 open actions due yesterday. Idempotent:
    built once, in the bench database, then reused."""
    from django.db import transaction
    from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

    from coachhub.accounts.models import User
    from coachhub.tenancy.models import ClientOrganisation, Membership, Role
    from coachhub.roster.models import Booking
    from engagements.models import Engagement
    from sessions import encryption
    from sessions.models import ActionItem, Attendance, CoachingSession

    coach = User.objects.get(email=SESSIONS_COACH_EMAIL)
    engagement = Engagement.objects.filter(coachee__email=SESSIONS_COACHEE_EMAIL, coach=coach).first()
    if engagement is not None and CoachingSession.objects.filter(engagement=engagement).count() == SESSIONS_COUNT:
        return engagement
    with transaction.atomic():
        coachee = User.objects.filter(email=SESSIONS_COACHEE_EMAIL).first() or User.objects.create_user(
            SESSIONS_COACHEE_EMAIL, None, full_name="Sessions Coachee"
        )
        organisation, _ = ClientOrganisation.objects.get_or_create(name="Bench Client Ltd")
        Membership.objects.get_or_create(user=coachee, role=Role.COACHEE, defaults={"client_organisation": organisation})
        if engagement is not None:  # half-built: start again
            ActionItem.objects.filter(engagement=engagement).delete()
            bookings = list(CoachingSession.objects.filter(engagement=engagement).values_list("booking_id", flat=True))
            CoachingSession.objects.filter(engagement=engagement).delete()
            Booking.objects.filter(pk__in=bookings).delete()
            engagement.delete()
        engagement = Engagement.objects.create(
            coachee=coachee, coach=coach, preferred_coach=coach, stage=Engagement.Stage.ACTIVE,
            matched_at=timezone.now(), objectives="Lead the merged operations team.",
        )
        # Mid-morning a week and more ago, a day apart: in the past whenever the bench runs.
        first = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=SESSIONS_COUNT + 7)
        for number in range(1, SESSIONS_COUNT + 1):
            starts_at = first + timedelta(days=number)
            ends_at = starts_at + timedelta(minutes=90)
            booking = Booking.objects.create(
                coach=coach, kind=Booking.Kind.COACHING, starts_at=starts_at, ends_at=ends_at,
                blocked=DateTimeTZRange(starts_at, ends_at, "[)"),
            )
            held = number % 2 == 1
            session = CoachingSession.objects.create(
                engagement=engagement, booking=booking, number=number,
                attendance=Attendance.HELD if held else Attendance.SCHEDULED, counts_as_used=held,
                goals=f"Goals of session {number}: prepare the quarterly review." if held else "",
                worked_on=["360 feedback", "Accountability"] if held else [],
                private_notes_ciphertext=encryption.encrypt(f"Private note: session {number}.") if held else "",
                summary=f"Summary: session {number}, two experiments agreed." if held else "",
                logged_at=starts_at + timedelta(hours=2) if held else None,
                last_saved_at=starts_at + timedelta(hours=2) if held else None,
            )
            ActionItem.objects.bulk_create([
                ActionItem(practice=practice, session=session, engagement=engagement, text=f"Action {number}.{n}",
                           due_date=timezone.localdate() - timedelta(days=1), status=ActionItem.Status.OPEN)
                for n in range(ACTIONS_EACH)
            ])
    return engagement


@bench("sessions_pages", "the coach's home page and an engagement page (50 logged sessions, 200 actions) signed in "
                         "as the coach: in-process p95 ms and queries, then p95 under load (wrk, gunicorn)", server=True)
def sessions_pages(run: Run) -> None:
    from coachhub.tenancy.context import practice_context
    from sessions.models import ActionItem, CoachingSession

    with practice_context(run.data.practice):
        engagement = _sessions_engagement(run.data.practice)
        sessions = CoachingSession.objects.filter(engagement=engagement).count()
        actions = ActionItem.objects.filter(engagement=engagement).count()
        coach = engagement.coach
    if (sessions, actions) != (SESSIONS_COUNT, SESSIONS_COUNT * ACTIONS_EACH):
        raise BenchError(f"the engagement has {sessions} sessions and {actions} actions, not {SESSIONS_COUNT} and {SESSIONS_COUNT * ACTIONS_EACH}.")
    client, cookie = signed_in(run.data.practice, coach)
    pages = {"coach_home": "/", "engagement_page": f"/engagements/{engagement.pk}/sessions/"}
    checks = {"coach_home": str(engagement.coachee), "engagement_page": "Private note: session 49."}
    for label, path in pages.items():
        in_process(run, client, label=label, path=path, expect=checks[label], runs=PAGE_RUNS)
    run.say(f"engagement {engagement.pk}: {sessions} sessions ({sessions // 2 + sessions % 2} logged), {actions} open actions; "
            "the figures above are sequential requests in one process (no server, no concurrency)")
    under_load(run, {label: (path, cookie) for label, path in pages.items()})
