"""Benchmarks for measurement (registered through BENCH_MODULES): the sponsor's and the practice
admin's dashboards under load, and the progress PDF's render time.

`build_portfolio` writes many engagements at once straight through the models (bulk inserts: an
accepted contract with objectives, held sessions, a mid-point and an end-point, ratings and
results with a spread of statuses). The dashboard tests use it too, so they build their data
the same way without going through the measurement services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from bench import BenchError, bench
from bench.pages import PDF_RUNS, in_process, median_render, signed_in, under_load
from bench.runner import Run

# A spread of verdicts, one per engagement in turn (None: no point closed yet, the mid-point due).
VERDICTS = ["on_track", "at_risk", "off_track", None, "achieved"]
RATERS = ("coachee", "coach", "sponsor")
SESSIONS_CONTRACTED = 8
SESSIONS_HELD = 3
SHA = "0" * 64


@dataclass(frozen=True)
class Portfolio:
    engagement_ids: list[int]


def build_portfolio(
    *, practice, organisation, sponsor, coaches: list, count: int, prefix: str, objectives: int = 3,
    held_sessions: int = SESSIONS_HELD, now: datetime | None = None, hours_back_from: int = 0,
) -> Portfolio:
    """`count` engagements of new coachees (`<prefix>-<n>@<practice slug>.example`) of
    `organisation`, sponsored by `sponsor`, shared among `coaches`; call it inside
    practice_context(practice). Engagement n's verdict is VERDICTS[n % 5]: its mid-point closed
    with every rater's ratings and results (and for "achieved" its end-point too, the engagement
    completed), or for None the mid-point due and open. Held sessions are in the past, two hours
    apart per coach, starting `hours_back_from` hours ago (so repeated calls do not overlap)."""
    from coachhub.accounts.models import User
    from coachhub.tenancy.models import Membership, Role
    from coachhub.roster.models import Booking
    from engagements.models import ContractVersion, Engagement, Objective
    from measurement.models import MeasurementPoint, ObjectiveResult, Rating
    from measurement.summaries.building import refresh_summaries
    from sessions.models import Attendance, CoachingSession

    now = now or timezone.now()
    start = timezone.localdate(now) - timedelta(days=120)
    coachees = User.objects.bulk_create([
        User(email=f"{prefix}-{n}@{practice.slug}.example", full_name=f"{prefix.title()} Coachee {n:04d}")
        for n in range(count)
    ])
    Membership.objects.bulk_create([
        Membership(practice=practice, user=user, role=Role.COACHEE, client_organisation=organisation) for user in coachees
    ])
    verdicts = [VERDICTS[n % len(VERDICTS)] for n in range(count)]
    engagements = Engagement.objects.bulk_create([
        Engagement(
            practice=practice, coachee=user, coach=coaches[n % len(coaches)], preferred_coach=coaches[n % len(coaches)],
            stage=Engagement.Stage.COMPLETED if verdicts[n] == "achieved" else Engagement.Stage.ACTIVE,
            objectives="Lead the merged operations team.", client_organisation=organisation, sponsor=sponsor,
            matched_at=now - timedelta(days=130),
        )
        for n, user in enumerate(coachees)
    ])
    versions = ContractVersion.objects.bulk_create([
        ContractVersion(
            practice=practice, engagement=engagement, number=1, coachee=engagement.coachee, coach=engagement.coach,
            sponsor=sponsor, client_organisation=organisation, start_date=start, end_date=start + timedelta(days=180),
            sessions=SESSIONS_CONTRACTED, sent_at=now - timedelta(days=121), text_sha256=SHA,
        )
        for engagement in engagements
    ])
    objective_rows = Objective.objects.bulk_create([
        Objective(
            practice=practice, version=version, position=position, description=f"Delegate decision area {position} to the team leads",
            success_measure="Leads run the weekly review alone.", rated_by_coachee=True, rated_by_coach=True,
            rated_by_sponsor=True, baseline=3 + position % 3, target=8,
        )
        for version in versions for position in range(1, objectives + 1)
    ])
    version_ids = [version.pk for version in versions]
    ContractVersion.objects.filter(pk__in=version_ids).update(status=ContractVersion.Status.SENT)
    ContractVersion.objects.filter(pk__in=version_ids).update(
        status=ContractVersion.Status.ACCEPTED, accepted_at=now - timedelta(days=120)
    )

    # Held sessions, two hours apart per coach, all in the past.
    slots: dict[int, int] = {}
    bookings, sessions = [], []
    for engagement in engagements:
        for number in range(1, held_sessions + 1):
            slot = slots.get(engagement.coach_id, 0)
            slots[engagement.coach_id] = slot + 1
            starts_at = now.replace(microsecond=0) - timedelta(hours=hours_back_from + 2 * (slot + 1))
            ends_at = starts_at + timedelta(minutes=90)
            bookings.append(Booking(
                practice=practice, coach_id=engagement.coach_id, kind=Booking.Kind.COACHING, starts_at=starts_at,
                ends_at=ends_at, blocked=DateTimeTZRange(starts_at, ends_at, "[)"),
            ))
            sessions.append(CoachingSession(
                practice=practice, engagement=engagement, number=number, attendance=Attendance.HELD,
                counts_as_used=True, summary=f"Summary of session {number}.", logged_at=ends_at,
            ))
    Booking.objects.bulk_create(bookings)
    for booking, session in zip(bookings, sessions):
        session.booking = booking
    CoachingSession.objects.bulk_create(sessions)

    points = []
    for n, engagement in enumerate(engagements):
        verdict, version = verdicts[n], versions[n]
        mid_closed = verdict is not None
        end_closed = verdict == "achieved"
        points.append(MeasurementPoint(
            practice=practice, engagement=engagement, version=version, kind=MeasurementPoint.Kind.MID,
            due_after_sessions=SESSIONS_CONTRACTED // 2, fell_due_at=now - timedelta(days=20 + n % 10),
            closed_at=now - timedelta(days=10) if mid_closed else None,
            status=("on_track" if end_closed else verdict) if mid_closed else "",
            status_reason=f"Mid-point: {verdict or ''} by the rule." if mid_closed else "",
        ))
        points.append(MeasurementPoint(
            practice=practice, engagement=engagement, version=version, kind=MeasurementPoint.Kind.END,
            due_after_sessions=SESSIONS_CONTRACTED, due_on=version.end_date,
            fell_due_at=now - timedelta(days=2) if end_closed else None,
            closed_at=now - timedelta(days=1) if end_closed else None,
            status=verdict if end_closed else "", status_reason="End-point: achieved." if end_closed else "",
        ))
    MeasurementPoint.objects.bulk_create(points)

    objectives_of: dict[int, list] = {}
    for objective in objective_rows:
        objectives_of.setdefault(objective.version_id, []).append(objective)
    ratings, results = [], []
    for n, engagement in enumerate(engagements):
        for point in points[2 * n: 2 * n + 2]:
            if point.closed_at is None:
                continue
            step = 2 if point.kind == MeasurementPoint.Kind.MID else 4
            for objective in objectives_of[versions[n].pk]:
                raters = {"coachee": engagement.coachee_id, "coach": engagement.coach_id, "sponsor": sponsor.pk}
                for offset, role in enumerate(RATERS):
                    ratings.append(Rating(
                        practice=practice, point=point, objective=objective, rater_id=raters[role], role=role,
                        score=min(10, objective.baseline + step + offset - 1), comment="",
                    ))
                results.append(ObjectiveResult(
                    practice=practice, point=point, objective=objective,
                    score=Decimal(min(10, objective.baseline + step)), expected=Decimal(objective.baseline + step - 1),
                    status=point.status, reason=f"Score {objective.baseline + step} against {objective.baseline + step - 1} expected.",
                ))
    Rating.objects.bulk_create(ratings, batch_size=2000)
    ObjectiveResult.objects.bulk_create(results, batch_size=2000)
    # Bulk inserts go around the subscribers: build the summaries the dashboards read.
    refresh_summaries(engagement.pk for engagement in engagements)
    return Portfolio(engagement_ids=[engagement.pk for engagement in engagements])


# --- The benches -------------------------------------------------------------------------------------------

SPONSOR_ENGAGEMENTS = 200
PRACTICE_ENGAGEMENTS = 1000  # including the sponsor's 200
MEASUREMENT_COACHES = 10
SPONSOR_EMAIL = "dashboard-sponsor@bench.example"
OTHER_SPONSOR_EMAIL = "dashboard-sponsor2@bench.example"
ADMIN_EMAIL = "dashboard-admin@bench.example"
PAGE_RUNS = 30


def _user(email: str, name: str):
    from coachhub.accounts.models import User

    return User.objects.filter(email=email).first() or User.objects.create_user(email, None, full_name=name)


def _dashboard_data(practice) -> tuple:
    """The sponsor (200 engagements of one organisation) and the admin of a practice of 1,000 such
    engagements. Built once in the bench database, then reused."""
    from django.db import transaction

    from coachhub.roster.models import CoachProfile
    from coachhub.tenancy.models import ClientOrganisation, Membership, Role
    from engagements.models import Engagement

    sponsor = _user(SPONSOR_EMAIL, "Dashboard Sponsor")
    admin = _user(ADMIN_EMAIL, "Dashboard Admin")
    built = Engagement.objects.filter(coachee__email__startswith="dash-").count()
    if built == PRACTICE_ENGAGEMENTS:
        return sponsor, admin
    if built:
        raise BenchError(f"the bench database holds {built} dashboard engagements, not {PRACTICE_ENGAGEMENTS}: "
                         "drop the coachhub_bench database and run again.")
    with transaction.atomic():
        other = _user(OTHER_SPONSOR_EMAIL, "Dashboard Sponsor Two")
        mine, _ = ClientOrganisation.objects.get_or_create(name="Dashboard Client Ltd")
        theirs, _ = ClientOrganisation.objects.get_or_create(name="Dashboard Other Client Ltd")
        Membership.objects.get_or_create(user=sponsor, role=Role.SPONSOR, defaults={"client_organisation": mine})
        Membership.objects.get_or_create(user=other, role=Role.SPONSOR, defaults={"client_organisation": theirs})
        Membership.objects.get_or_create(user=admin, role=Role.ADMIN)
        coaches = []
        for number in range(1, MEASUREMENT_COACHES + 1):
            coach = _user(f"dashboard-coach{number:02d}@bench.example", f"Dashboard Coach {number:02d}")
            Membership.objects.get_or_create(user=coach, role=Role.COACH)
            CoachProfile.objects.get_or_create(user=coach, defaults={"capacity": 100, "time_zone": "Europe/London"})
            coaches.append(coach)
        build_portfolio(practice=practice, organisation=mine, sponsor=sponsor, coaches=coaches,
                        count=SPONSOR_ENGAGEMENTS, prefix="dash-s")
        build_portfolio(practice=practice, organisation=theirs, sponsor=other, coaches=coaches,
                        count=PRACTICE_ENGAGEMENTS - SPONSOR_ENGAGEMENTS, prefix="dash-p",
                        hours_back_from=2 * SESSIONS_HELD * SPONSOR_ENGAGEMENTS // MEASUREMENT_COACHES + 2)
    return sponsor, admin


ANALYZED = [
    "accounts_user", "tenancy_membership", "engagements_engagement", "engagements_contractversion", "engagements_objective",
    "roster_booking", "coaching_sessions_coachingsession", "measurement_measurementpoint", "measurement_rating",
    "measurement_objectiveresult",
]


def _analyze() -> None:
    """Fresh planner statistics after the bulk inserts (as the owner: only a table's owner may
    ANALYZE it), as autovacuum would give them a little later."""
    from django.db import connections

    with connections["owner"].cursor() as cursor:
        for table in ANALYZED:
            cursor.execute(f"ANALYZE {table}")


@bench("measurement_dashboards", "the sponsor dashboard (200 engagements) and the practice dashboard (1,000): "
                                 "queries per request, then p95 under load (wrk, gunicorn), signed in", server=True)
def measurement_dashboards(run: Run) -> None:
    from coachhub.tenancy.context import practice_context

    practice = run.data.practice
    with practice_context(practice):
        sponsor, admin = _dashboard_data(practice)
    # Once the data is committed (the practice's context is one transaction): ANALYZE cannot see rows
    # that are not, and statistics of empty tables give the planner nested loops over everything.
    _analyze()
    sponsor_client, sponsor_cookie = signed_in(practice, sponsor)
    admin_client, admin_cookie = signed_in(practice, admin)
    run.say(f"{SPONSOR_ENGAGEMENTS} engagements sponsored by {SPONSOR_EMAIL} (20 a page, 3 objective charts each); "
            f"{PRACTICE_ENGAGEMENTS} in the practice's dashboard (50 a page)")
    in_process(run, sponsor_client, label="sponsor_dashboard", path="/dashboard/sponsor/", expect="Coaching progress", runs=PAGE_RUNS)
    in_process(run, admin_client, label="practice_dashboard", path="/practice/dashboard/", expect="Practice dashboard", runs=PAGE_RUNS)
    under_load(run, {
        "sponsor_dashboard": ("/dashboard/sponsor/", sponsor_cookie),
        "practice_dashboard": ("/practice/dashboard/", admin_cookie),
    })


@bench("progress_pdf", "render one engagement's progress report PDF (3 objectives, mid and end points closed, "
                       "charts) in-process: median ms of 10 renders after a warm-up")
def progress_pdf(run: Run) -> None:
    from coachhub.tenancy.context import practice_context
    from engagements.models import Engagement

    from measurement.pdf import render_progress_pdf
    practice = run.data.practice
    with practice_context(practice):
        _dashboard_data(practice)
        engagement = Engagement.objects.select_related("coachee", "coach", "sponsor").filter(
            coachee__email__startswith="dash-s-", stage=Engagement.Stage.COMPLETED,
        ).order_by("pk").first()
        if engagement is None:
            raise BenchError("no completed dashboard engagement to report on.")
        document, median = median_render(lambda: render_progress_pdf(engagement))
    run.say(f"progress PDF of engagement {engagement.pk}: {len(document) // 1024} KiB, {PDF_RUNS} renders after one warm-up")
    run.figure("progress_pdf_median_ms", median)

