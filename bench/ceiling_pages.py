"""`make bench BENCH=pages`: the signed-in pages as deployed (gunicorn, 2 workers, DEBUG off,
the demo data, wrk -t2 -c16), each beside a bare one-file Django ceiling (bench/ceiling) measured
in the same run against the same PostgreSQL. Prints `ceiling_rps` first, then for each page
`page_<name>_rps`, `page_<name>_p99_ms` and `page_<name>_share_of_ceiling` (in percent), and
`page_<name>_after_write_ms`: the page built again after a write in its practice.

`make bench BENCH=pages SCALE=N` first adds N scaled practices (seed_scale, idempotent) to the
bench database and measures the same pages of the demo's Acme among them; before each page's
load, its slowest query is explained (bench/plans.py) and its plan noted when it reads a tenant
table sequentially."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench import BenchError, bench, plans
from bench.load import run_wrk
from bench.pages import signed_in, signed_in_status
from bench.server import Server

if TYPE_CHECKING:
    from bench.runner import Run


@dataclass(frozen=True)
class DemoPage:
    name: str
    path: str
    who: str | None  # the demo login it is loaded as (local part), None for a public page


DEMO_SLUG = "acme"


def demo_pages() -> list[DemoPage]:
    """The pages of issue 15's table, at the demo's Acme, with the ids the demo gave them."""
    from coachhub.tenancy.context import practice_context
    from coachhub.tenancy.models import Practice
    from engagements.models import Engagement

    practice = Practice.objects.get(slug=DEMO_SLUG)
    with practice_context(practice):
        engagement = Engagement.objects.get(
            coachee__email=f"coachee@{DEMO_SLUG}.example", stage=Engagement.Stage.ACTIVE
        )
    return [
        DemoPage("coach_home", "/", "coach"),
        DemoPage("coach_sessions", f"/engagements/{engagement.pk}/sessions/", "coach"),
        DemoPage("sponsor_dashboard", "/dashboard/sponsor/", "sponsor"),
        DemoPage("practice_dashboard", "/practice/dashboard/", "admin"),
        DemoPage("coachee_progress", f"/engagements/{engagement.pk}/progress/", "coachee"),
        DemoPage("directory", "/coaches/", None),
        DemoPage("api_coaches", "/api/v1/coaches", None),
    ]


def seed_demo(run: Run) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    run.say("demo data seeded into the bench database (idempotent): Acme and Globex, as `make run` has them")


# The tables whose sizes the scale line reports.
SIZED_TABLES = ["reminders_reminder", "roster_booking", "coaching_sessions_coachingsession", "measurement_rating",
                "engagements_engagement", "accounts_user"]


def _seed_scale(run: Run) -> None:
    import io
    import time

    from django.core.management import call_command
    from django.db import connection

    from coachhub.tenancy.models import Practice

    out, started = io.StringIO(), time.monotonic()
    call_command("seed_scale", practices=run.scale, stdout=out)
    seconds = time.monotonic() - started
    lines = out.getvalue().strip().splitlines()
    run.say(f"seed_scale --practices {run.scale} (idempotent) in {seconds:.0f} s: {lines[-1] if lines else ''}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)", [SIZED_TABLES])
        sizes = dict(cursor.fetchall())
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        database_size = cursor.fetchone()[0]
    run.say(f"scale: the pages below are the demo's Acme, among {Practice.objects.count()} practices "
            f"({Practice.objects.filter(slug__startswith='scale-').count()} scaled: 20 coaches, 50 coachees and a year "
            f"of coaching each); database {database_size}, about "
            + ", ".join(f"{sizes.get(table, 0):,} {table}" for table in SIZED_TABLES))


def _visitor(practice, page: DemoPage, host: str) -> tuple:
    """An in-process client at `host` as the page's demo user (a visitor for a public page), and
    the session cookie wrk sends ("" for a visitor)."""
    from django.test import Client

    from coachhub.accounts.models import User

    if not page.who:
        return Client(HTTP_HOST=host), ""
    client, cookie = signed_in(practice, User.objects.get(email=f"{page.who}@{DEMO_SLUG}.example"))
    client.defaults["HTTP_HOST"] = host
    return client, cookie


def _explain_page(run: Run, practice, page: DemoPage, client) -> None:
    """The page requested cold in-process, and its slowest query explained (bench/plans.py)."""
    plans.empty_bench_caches(run.environment["REDIS_URL"])  # cold: every query the page runs is seen
    statements = plans.page_queries(client, page.path, practice.host)
    plans.report(run.say, page.name, plans.explain_all(practice, statements))


@bench("pages", "the signed-in pages of the demo against a bare-Django ceiling (gunicorn 2 workers, DEBUG off, "
       "wrk -t2 -c16), in one run", server=True)
def pages(run: Run) -> None:
    from coachhub.tenancy.models import Practice

    seed_demo(run)
    if run.scale:
        _seed_scale(run)
    practice = Practice.objects.get(slug=DEMO_SLUG)
    host = practice.host

    ceiling = Server(run.environment, app="bench.ceiling:application", ready_path="/")
    try:
        ceiling.start()
        ceiling.smoke("/")
        run_wrk(ceiling.base_url + "/", 1)
        ceiling_rps = run_wrk(ceiling.base_url + "/", run.duration).rps
    finally:
        ceiling.stop()
    run.figure("ceiling_rps", ceiling_rps)
    run.say("ceiling: bench/ceiling, one ORM query (the practice by slug) and one template, same gunicorn and database")

    for page in demo_pages():
        client, cookie = _visitor(practice, page, host)
        if run.scale:
            _explain_page(run, practice, page, client)
        result = _load(run.server, page, host=host, cookie=cookie, seconds=run.duration)
        run.say(f"{page.name}: GET {page.path} as {page.who or 'a visitor'}@{DEMO_SLUG}, {result.requests} requests")
        run.figure(f"page_{page.name}_rps", result.rps)
        run.figure(f"page_{page.name}_p99_ms", result.percentiles_ms[99])
        run.figure(f"page_{page.name}_share_of_ceiling", 100 * result.rps / ceiling_rps if ceiling_rps else 0.0)
        run.figure(f"page_{page.name}_after_write_ms", after_a_write_ms(practice, page, client))
    run.say("every request builds its page (there is no page cache); after_write_ms: in-process median of the "
            "page built right after a write in its practice")


def _load(server: Server, page: DemoPage, *, host: str, cookie: str, seconds: float):
    """wrk on `page` as its demo user after a smoke check and a second's warm-up: its result."""
    status = signed_in_status(server, page.path, cookie=cookie, host=host)
    if status != 200:
        raise BenchError(f"GET {page.path} as {page.who or 'a visitor'} answered {status}.\n{server.log_tail()}")
    run_wrk(server.base_url + page.path, 1, host=host, cookie=cookie)
    result = run_wrk(server.base_url + page.path, seconds, host=host, cookie=cookie)
    if result.non2xx:
        raise BenchError(f"{page.name}: {result.non2xx} responses were errors under load.\n{server.log_tail()}")
    return result


AFTER_WRITE_RUNS = 20


def after_a_write_ms(practice, page: DemoPage, client) -> float:
    """The median time to build `page` when something was written in its practice just before
    (nothing is cached, so it should match the page's time under load)."""
    import statistics
    import time

    from django.db.models import F

    from coachhub.tenancy.models import Practice

    client.get(page.path)
    timings = []
    for _ in range(AFTER_WRITE_RUNS):
        Practice.objects.filter(pk=practice.pk).update(name=F("name"))
        started = time.perf_counter()
        response = client.get(page.path)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise BenchError(f"GET {page.path} in-process answered {response.status_code}.")
    return statistics.median(timings)
