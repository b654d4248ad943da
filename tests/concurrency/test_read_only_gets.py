"""No writes on GET. A crawl signs in as every person of both demo practices (every role, every
journey state `seed_demo` builds), of a practice that has only just been set up (a coach with no
profile yet, no "worked on" list saved, a session to log), and as a visitor of each;
it starts from each home page and follows every same-host link (pages, detail pages, downloads, CSV).
The platform's bare domain is crawled as a visitor; its admin is Django's own.
Every GET is served inside a read-only database transaction, and none may answer 5xx.

PostgreSQL enforces it: `SET LOCAL transaction_read_only = on` in a savepoint opened around the
whole request (session and auth middleware, the view, its templates) makes any INSERT, UPDATE,
DELETE or nextval() raise. The savepoint is always rolled back, so no page leaks into the next.
Django's session middleware saves a session only when a request changed it; no GET of the crawl
does (signing out a person whose membership ended is the one GET that rightly writes, and it is
not part of a crawl of people with access).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from contextlib import contextmanager
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from demo.journey import DEMO_PASSWORD, PRACTICES
from coachhub.tenancy.models import Practice
from sessions.models import WorkedOnTopic
from tests.conftest import PASSWORD, client_at, make_practice
from tests.sessions.conftest import active_engagement, past_session

pytestmark = pytest.mark.django_db

# Pages whose address differs only in numbers (one session or another, one week or the next) are
# the same page to the crawl after this many of them, per person.
SAME_PAGE_LIMIT = 2
MAX_PAGES_EACH = 150  # per person; the most any visits is about 45


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@contextmanager
def read_only_transaction():
    """A savepoint in which PostgreSQL refuses every write; always rolled back."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL transaction_read_only = on")
        try:
            yield
        finally:
            transaction.set_rollback(True)


def read_only_get(client: Client, path: str):
    with read_only_transaction():
        return client.get(path)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag in ("img", "iframe") and attrs.get("src"):
            self.links.append(attrs["src"])


def _links(response, url: str) -> list[str]:
    if response.status_code in (301, 302, 303, 307, 308):
        return [urljoin(url, response["Location"])]
    if "html" not in response.get("Content-Type", ""):
        return []
    parser = _Links()
    parser.feed(response.content.decode(errors="replace"))
    return [urldefrag(urljoin(url, href))[0] for href in parser.links]


def crawl(client: Client, host: str, budget: int) -> tuple[int, list[str]]:
    """Breadth first from the home page over same-host links. Returns (pages visited, failures)."""
    queue, seen, shapes, failures, visited = deque(["/"]), {"/"}, Counter(), [], 0
    while queue and visited < budget:
        path = queue.popleft()
        visited += 1
        try:
            response = read_only_get(client, path)
        except Exception as error:  # noqa: BLE001 - every failing page is reported, not only the first
            failures.append(f"{path}: {type(error).__name__}: {str(error).strip().splitlines()[0]}")
            continue
        if response.status_code >= 500:
            failures.append(f"{path}: answered {response.status_code}")
            continue
        for url in _links(response, f"http://{host}{path}"):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or parts.hostname != host:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            shape = re.sub(r"\d+", "N", target)
            if target in seen or target.startswith(settings.STATIC_URL) or shapes[shape] >= SAME_PAGE_LIMIT:
                continue
            seen.add(target)
            shapes[shape] += 1
            queue.append(target)
    return visited, failures


def signed_in(host: str, email: str | None, password: str) -> Client:
    client = Client(HTTP_HOST=host)
    if email is not None:
        response = client.post("/accounts/login/", {"login": email, "password": password})
        assert response.status_code == 302, (host, email)
    return client


def just_set_up():
    """A practice with every role and one active engagement with a session to log, where nobody has
    saved anything yet: its coach has no profile, it has no "worked on" list of its own."""
    cast = make_practice("initech", "Initech Coaching")
    past_session(cast, active_engagement(cast, coachee=cast.coachee, coach=cast.coach))
    return cast


def test_every_get_page_of_the_crawl_is_read_only_and_never_a_server_error():
    call_command("seed_demo", stdout=StringIO())
    visitors: list[tuple[str, str | None, str]] = [(settings.BASE_DOMAIN, None, "")]
    for slug, spec in PRACTICES.items():
        host = Practice.objects.get(slug=slug).host
        visitors += [(host, None, "")] + [(host, f"{local}@{slug}.example", DEMO_PASSWORD) for local in spec["people"]]
    fresh = just_set_up()
    visitors += [(fresh.host, None, "")] + [
        (fresh.host, getattr(fresh, role).email, PASSWORD)
        for role in ("admin", "coach", "coach2", "coachee", "coachee2", "sponsor")
    ]
    pages, failures = 0, []
    for host, email, password in visitors:
        visited, failed = crawl(signed_in(host, email, password), host, MAX_PAGES_EACH)
        assert visited < MAX_PAGES_EACH, f"the crawl as {email} was cut short"
        pages += visited
        failures += [f"{host} as {email or 'a visitor'}: {failure}" for failure in failed]
    assert not failures, "\n".join(failures)
    assert pages > 300  # it reached the journey's pages


def test_the_session_log_and_the_worked_on_list_are_shown_without_saving_the_default_list(acme, in_practice):
    session = past_session(acme, active_engagement(acme))
    coach = client_at(acme, acme.coach)
    page = read_only_get(coach, f"/sessions/{session.pk}/log/")
    assert page.status_code == 200 and 'value="360 feedback"' in page.content.decode()
    listing = read_only_get(client_at(acme, acme.admin), "/practice/worked-on/")
    assert listing.status_code == 200 and "360 feedback" in listing.content.decode()
    with in_practice(acme):
        assert not WorkedOnTopic.objects.exists()


def test_a_coach_without_a_profile_sees_their_profile_and_availability_pages_without_creating_one(globex, in_practice):
    from coachhub.roster.models import CoachProfile

    client = client_at(globex, globex.coach)
    assert read_only_get(client, "/roster/me/").status_code == 200
    assert read_only_get(client, "/roster/me/availability/").status_code == 200
    with in_practice(globex):
        assert not CoachProfile.objects.exists()
