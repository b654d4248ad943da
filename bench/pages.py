"""Signed-in pages measured two ways: sequential requests in this process (queries per request,
p95 ms), then under wrk against the bench's own gunicorn (rps and percentiles); and documents
rendered in-process (median ms)."""

from __future__ import annotations

import http.client
import statistics
import time

from bench import BenchError
from bench.runner import Run


def signed_in(practice, user) -> tuple:
    """A test client signed in as `user` at the bench host, and its session cookie for wrk."""
    from django.conf import settings
    from django.test import Client

    from bench.environment import HOST
    from coachhub.tenancy.middleware import SESSION_PRACTICE_KEY

    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    session = client.session
    session[SESSION_PRACTICE_KEY] = practice.pk  # bound to the practice, as signing in at its host does
    session.save()
    return client, f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20, method="inclusive")[18]


def in_process(run: Run, client, *, label: str, path: str, expect: str, runs: int) -> None:
    """`runs` requests after one warm-up: figures `<label>_p95_ms` and `<label>_queries`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, timings = set(), []
    for attempt in range(runs + 1):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise BenchError(f"GET {path} answered {response.status_code} ({response.get('Location', '')}): {response.content[:300]!r}")
        if not attempt and expect not in response.content.decode():
            raise BenchError(f"GET {path} lacks {expect!r}: not the page expected.")
        if attempt:
            counts.add(len(queries.captured_queries))
            timings.append(elapsed * 1000)
    if len(counts) > 1:
        run.say(f"{label}: the query count varied between requests: {sorted(counts)}")
    run.say(f"{label}: GET {path} in-process, {runs} requests after one warm-up, median {statistics.median(timings):.1f} ms")
    run.figure(f"{label}_p95_ms", p95(timings))
    run.figure(f"{label}_queries", max(counts))


def under_load(run: Run, pages: dict[str, tuple[str, str]]) -> None:
    """Each page (label → (path, session cookie)) under wrk against a gunicorn of its own (it needs
    the bench's notes key, which the shared `run.server` lacks): `<label>_load_rps` and percentiles."""
    from bench.load import PERCENTILES, run_wrk
    from bench.server import Server

    server = Server(run.environment)
    seconds = max(1, round(min(run.duration, 10)))
    try:
        server.start()
        for label, (path, cookie) in pages.items():
            status = signed_in_status(server, path, cookie=cookie)
            if status != 200:
                raise BenchError(f"GET {path} through gunicorn answered {status}.\n{server.log_tail()}")
            run_wrk(server.base_url + path, 1, connections=8, cookie=cookie)  # warm-up
            result = run_wrk(server.base_url + path, seconds, connections=8, cookie=cookie)
            if result.non2xx:
                raise BenchError(f"{label}: {result.non2xx} responses were errors under load.\n{server.log_tail()}")
            run.say(f"{label} under load: {result.requests} requests in {seconds} s (wrk -t2 -c8, gunicorn 2 workers, "
                    f"signed in), {result.socket_errors} socket errors")
            run.figure(f"{label}_load_rps", result.rps)
            for percentile in PERCENTILES:
                run.figure(f"{label}_load_p{percentile}_ms", result.percentiles_ms[percentile])
    finally:
        server.stop()


def signed_in_status(server, path: str, *, cookie: str, host: str | None = None) -> int:
    """The status of one GET of `path` with a session cookie (a smoke check before the load)."""
    from bench.environment import HOST

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host or HOST, "Cookie": cookie})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


PDF_RUNS = 10


def median_render(render) -> tuple[bytes, float]:
    """`render()` once to warm up (fonts and stylesheets load on first use), then PDF_RUNS times:
    the last document and the median milliseconds."""
    document, timings = render(), []
    for _ in range(PDF_RUNS):
        started = time.perf_counter()
        document = render()
        timings.append((time.perf_counter() - started) * 1000)
    return document, statistics.median(timings)
