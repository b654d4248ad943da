"""`make bench BENCH=mix`: a working day. The demo users of every role in both demo practices load
the pages they reach (16 at once, each connection asking for the next page as soon as it has the
last: a closed loop) while one coach per practice types in a session log, the page autosaving
every 2 s; then the same client (wrk, same threads and connections) loads the bare ceiling
(bench/ceiling) for as long. Prints `mix_reads_per_s`, `mix_p99_ms` and `mix_share_of_ceiling`
(percent), and fails when any read or autosave is answered with an error.

The pages are those a crawl finds from each person's home page over same-host links (HTML
pages that answer 200; downloads — PDFs, CSV, calendar files — are documents, not pages; a page
whose address differs only in numbers is taken at most twice per person), every page as the
person who reached it."""

from __future__ import annotations

import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, deque
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from bench import BenchError, bench
from bench.ceiling_pages import seed_demo
from bench.load import run_wrk
from bench.pages import signed_in
from bench.server import Server

if TYPE_CHECKING:
    from bench.runner import Run

SAME_PAGE_LIMIT = 2  # pages whose address differs only in numbers, per person
PAGES_EACH = 150  # the most a crawl visits per person
AUTOSAVE_EVERY = 2.0  # seconds, as the log page autosaves while the coach types
LOAD_SECONDS_FACTOR = 3  # the mix runs three times --duration (30 s by default), the ceiling as long


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def _crawl(client, host: str, static_url: str) -> list[str]:
    """The HTML pages a person reaches from their home page, breadth first (in-process)."""
    queue, seen, shapes, pages = deque(["/"]), {"/"}, Counter(), []
    while queue and len(pages) < PAGES_EACH:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages.append(path)
        parser = _Links()
        parser.feed(response.content.decode(errors="replace"))
        for href in parser.links:
            parts = urllib.parse.urlsplit(urllib.parse.urljoin(f"http://{host}{path}", href))
            if parts.scheme != "http" or parts.hostname != host:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            shape = re.sub(r"\d+", "N", target)
            if target in seen or target.startswith(static_url) or shapes[shape] >= SAME_PAGE_LIMIT:
                continue
            seen.add(target)
            shapes[shape] += 1
            queue.append(target)
    return pages


def working_day_pages() -> list[tuple[str, str, str]]:
    """(path, Host, Cookie) for every page every demo person of both practices reaches."""
    from django.conf import settings

    from coachhub.accounts.models import User
    from coachhub.tenancy.context import practice_context
    from coachhub.tenancy.models import Membership, Practice
    from demo.journey import PRACTICES

    requests = []
    for slug in PRACTICES:
        practice = Practice.objects.get(slug=slug)
        with practice_context(practice):
            members = set(Membership.objects.filter(is_active=True).values_list("user", flat=True))
        for person in User.objects.filter(pk__in=members).order_by("email"):
            client, cookie = signed_in(practice, person)
            client.defaults["HTTP_HOST"] = practice.host
            requests += [(path, practice.host, cookie) for path in _crawl(client, practice.host, settings.STATIC_URL)]
    if not requests:
        raise BenchError("The crawl found no page: are the demo practices seeded?")
    return requests


class Typist(threading.Thread):
    """A coach typing in a session log over HTTP: an autosave every AUTOSAVE_EVERY seconds."""

    def __init__(self, base_url: str, practice) -> None:
        super().__init__(daemon=True)
        from coachhub.accounts.models import User

        coach = User.objects.get(email=f"coach@{practice.slug}.example")
        self.base_url, self.host = base_url, practice.host
        self.session_id = _session_to_log(practice, coach)
        _, self.cookie = signed_in(practice, coach)
        self.saves = self.errors = 0
        self.stopping = threading.Event()

    def _open(self, path: str, data: dict | None = None, extra: dict | None = None) -> str:
        request = urllib.request.Request(
            self.base_url + path, data=urllib.parse.urlencode(data).encode() if data is not None else None,
            headers={"Host": self.host, "Cookie": self.cookie, **(extra or {})},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            for header in response.headers.get_all("Set-Cookie") or []:  # the CSRF cookie, as a browser keeps it
                name_value = header.split(";", 1)[0]
                self.cookie += f"; {name_value}"
            return response.read().decode()

    def run(self) -> None:
        page = self._open(f"/sessions/{self.session_id}/log/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        words = 0
        while not self.stopping.wait(AUTOSAVE_EVERY):
            words += 12
            try:
                answer = self._open(
                    f"/sessions/{self.session_id}/autosave/",
                    {"csrfmiddlewaretoken": token, "version": version, "summary": "Typing the summary. " * (words // 3)},
                    {"HX-Request": "true", "X-CSRFToken": token},
                )
            except (urllib.error.URLError, OSError):
                self.errors += 1
                continue
            found = re.search(r'name="version" value="(\d+)"', answer)
            if found:
                version, self.saves = found.group(1), self.saves + 1
            else:
                self.errors += 1


def _session_to_log(practice, coach) -> int:
    """The coach's latest past session in an active engagement: the log they would be writing."""
    from django.utils import timezone

    from coachhub.tenancy.context import practice_context
    from engagements.models import Engagement
    from sessions.models import CoachingSession

    with practice_context(practice):
        session = (
            CoachingSession.objects.filter(
                engagement__coach=coach, engagement__stage=Engagement.Stage.ACTIVE, booking__starts_at__lt=timezone.now(),
            ).order_by("-booking__starts_at").first()
        )
    if session is None:
        raise BenchError(f"{coach.email} has no past session to log at {practice.slug}.")
    return session.pk


@bench("mix", "a working day: every demo person's pages, 16 at once, while a coach per practice autosaves a "
       "session log every 2 s; then the bare ceiling by the same client", server=True)
def mix(run: Run) -> None:
    from coachhub.tenancy.models import Practice
    from demo.journey import PRACTICES

    seed_demo(run)
    requests = working_day_pages()
    random.Random(7).shuffle(requests)
    people = len({cookie for _, _, cookie in requests})
    run.say(f"{len(requests)} pages that the {people} demo people of {', '.join(PRACTICES)} reach from their home pages")
    seconds = run.duration * LOAD_SECONDS_FACTOR
    server = run.server
    typists = [Typist(server.base_url, Practice.objects.get(slug=slug)) for slug in PRACTICES]
    for typist in typists:
        typist.start()
    try:
        result = run_wrk(server.base_url + "/", seconds, requests=requests)
    finally:
        for typist in typists:
            typist.stopping.set()
        for typist in typists:
            typist.join(timeout=15)
    saves, failed = sum(t.saves for t in typists), sum(t.errors for t in typists)
    run.say(f"the mix: {result.requests} reads in {result.seconds:.0f} s; {saves} autosaves by {len(typists)} coaches")
    if result.non2xx or result.socket_errors or failed or not saves:
        raise BenchError(f"errors in the mix: {result.non2xx} reads answered 4xx/5xx, {result.socket_errors} socket "
                         f"errors, {failed} autosaves failed ({saves} saved).\n{server.log_tail()}")

    ceiling = Server(run.environment, app="bench.ceiling:application", ready_path="/")
    try:
        ceiling.start()
        ceiling.smoke("/")
        ceiling_rps = run_wrk(ceiling.base_url + "/", seconds).rps
    finally:
        ceiling.stop()
    run.say(f"ceiling: bench/ceiling by the same wrk, {ceiling_rps:.0f} req/s")
    run.figure("mix_reads_per_s", result.rps)
    run.figure("mix_p99_ms", result.percentiles_ms[99])
    run.figure("mix_share_of_ceiling", 100 * result.rps / ceiling_rps if ceiling_rps else 0.0)
