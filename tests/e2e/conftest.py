"""End-to-end fixtures: practices committed to the database (so the live server sees them),
addresses on the live server per practice host, and a person signing in as a real user would.

The live server binds `localhost` on a free port; Chromium resolves `<slug>.localhost` to
loopback, so `http://acme.localhost:<port>` reaches the practice `acme`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core import mail
from playwright.sync_api import Browser, BrowserContext, Page, expect

from devservers.chromium import NoBrowser, chromium_executable
from tests.conftest import CHROMIUM_ARGS, PASSWORD, PracticeCast, make_practice
from tests.e2e import accessibility

# Every locator assertion waits up to this long (ms); pages render in well under a second.
expect.set_options(timeout=10_000)

# Every page a browser test lands on is checked with axe-core (tests/e2e/accessibility.py).
accessibility.install()


@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig) -> dict:
    """Debian's Chromium when there is one, else Playwright's own (downloaded on first use);
    without either every browser test fails saying how to get one (devservers/chromium.py).

    pytest-playwright's fixture is session-scoped, so this override is too. `--headed` and
    `--slowmo` still work.
    """
    try:
        executable, missing = chromium_executable(), None
    except NoBrowser as error:
        missing = str(error)
    if missing:
        pytest.fail(missing, pytrace=False)
    options: dict = {"args": CHROMIUM_ARGS} | ({"executable_path": executable} if executable else {})
    if pytestconfig.getoption("--headed"):
        options["headless"] = False
    if pytestconfig.getoption("--slowmo"):
        options["slow_mo"] = pytestconfig.getoption("--slowmo")
    return options


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """Pages open at the desktop size the accessibility checks use (1280×800)."""
    return {**browser_context_args, "viewport": accessibility.WIDTHS["desktop"]}


def _is_csp_violation(message) -> bool:
    """Chromium reports a blocked script, style, image, frame or form as a console error
    beginning "Refused to …" and naming the Content Security Policy."""
    return message.text.startswith("Refused to") or "Content Security Policy" in message.text


@pytest.fixture(autouse=True)
def csp_violations():
    """Every page of a browser test runs under the site's Content-Security-Policy: anything it
    refuses (an inline style or script, a foreign image) fails the test."""
    refused: list[str] = []
    yield refused
    assert not refused, "Content-Security-Policy violations:\n" + "\n".join(refused)


def watch_csp(context: BrowserContext, refused: list[str]) -> BrowserContext:
    def record(message) -> None:
        if _is_csp_violation(message):
            refused.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", record)
    return context


_watch_of_test = pytest.StashKey[accessibility.AccessibilityWatch]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A test that failed already is not checked further (not even what it landed on last)."""
    report = yield
    watch = item.stash.get(_watch_of_test, None)
    if report.when == "call" and report.failed and watch is not None:
        watch.stopped = True
    return report


@pytest.fixture(autouse=True)
def accessibility_watch(request):
    """Every page a browser test visits, at a desktop and a phone width, must pass axe-core's
    WCAG 2.2 A/AA rules: each violation (rule, impact, elements, address) fails the test."""
    found: list[str] = []
    watch = request.node.stash[_watch_of_test] = accessibility.start(found)
    yield watch
    accessibility.stop()
    assert not found, "Accessibility (WCAG 2.2 A/AA, axe-core) violations:\n" + "\n".join(found)


def watch_pages(context: BrowserContext, refused: list[str], accessibility_watch, scripts: bool = True) -> BrowserContext:
    """The CSP and accessibility watches on a browser context of a test."""
    return accessibility_watch.watch(watch_csp(context, refused), scripts=scripts)


def close_checked(context: BrowserContext, accessibility_watch) -> None:
    """Check what the test landed on last, then close the context."""
    accessibility_watch.check_pending()
    context.close()


@pytest.fixture
def context(context: BrowserContext, csp_violations, accessibility_watch):
    yield watch_pages(context, csp_violations, accessibility_watch)
    accessibility_watch.check_pending()


@pytest.fixture
def page(page: Page) -> Page:
    """pytest-playwright's page, failing after 10 s rather than 30 s when something is missing."""
    page.set_default_timeout(10_000)
    return page


@dataclass
class Site:
    """A practice (or the platform) as reached through the live server."""

    base: str
    cast: PracticeCast | None = None

    def url(self, path: str = "/") -> str:
        return self.base + path


@pytest.fixture
def server_port(live_server) -> int:
    return live_server.thread.port


@pytest.fixture
def acme_cast(transactional_db) -> PracticeCast:
    """Acme with a person in every role, committed (the live server runs in another thread)."""
    return make_practice("acme", "Acme Coaching")


@pytest.fixture
def globex_cast(transactional_db) -> PracticeCast:
    return make_practice("globex", "Globex Leadership", "America/New_York")


@pytest.fixture
def acme_site(acme_cast, server_port) -> Site:
    return Site(f"http://acme.localhost:{server_port}", acme_cast)


@pytest.fixture
def globex_site(globex_cast, server_port) -> Site:
    return Site(f"http://globex.localhost:{server_port}", globex_cast)


@pytest.fixture
def site_at(server_port):
    """The address of any host name on the live server, e.g. site_at("nope")."""

    def at(slug: str | None) -> Site:
        host = f"{slug}.localhost" if slug else "localhost"
        return Site(f"http://{host}:{server_port}")

    return at


@pytest.fixture
def outbox() -> list:
    """Messages sent so far (Celery runs eagerly in the live server thread, after commit)."""
    mail.outbox.clear()
    return mail.outbox


@pytest.fixture
def fresh_page(browser: Browser, csp_violations, accessibility_watch):
    """Pages in new browser contexts (no cookies shared with `page`): `fresh_page()`."""
    contexts = []

    def open_page() -> Page:
        context = watch_pages(browser.new_context(viewport=accessibility.WIDTHS["desktop"]), csp_violations, accessibility_watch)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        close_checked(context, accessibility_watch)


def fill_login(page: Page, site: Site, email: str, password: str = PASSWORD) -> None:
    """Open the sign-in page and submit the email and password."""
    page.goto(site.url("/accounts/login/"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page: Page, site: Site, email: str, password: str = PASSWORD) -> None:
    """Sign in and wait for the home page."""
    fill_login(page, site, email, password)
    expect(page).to_have_url(site.url("/"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def link_in(message, path_prefix: str) -> str:
    """The first absolute link in a message's plain text whose path starts with `path_prefix`."""
    match = re.search(r"https?://[^\s\"'<>]+" + re.escape(path_prefix) + r"[^\s\"'<>]*", message.body)
    assert match, f"no {path_prefix} link in:\n{message.body}"
    return match.group(0)


def totp_now(secret: str) -> str:
    """The code an authenticator app shows now for `secret` (RFC 6238, as allauth checks it)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


# --- Booking and roster (tests/e2e/test_booking*.py, test_roster*.py) -----------------------


@pytest.fixture
def page_with(browser: Browser, csp_violations, accessibility_watch):
    """Pages in new browser contexts with options, e.g.
    `page_with(timezone_id="America/New_York", locale="en-US")` or `page_with(java_script_enabled=False)`."""
    contexts = []

    def open_page(**context_options) -> Page:
        context = watch_pages(
            browser.new_context(**{"viewport": accessibility.WIDTHS["desktop"], **context_options}),
            csp_violations, accessibility_watch,
            scripts=context_options.get("java_script_enabled", True),
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        close_checked(context, accessibility_watch)


@pytest.fixture
def acme_coaches(acme_cast):
    """Acme's two coaches published (Mon–Fri 09:00–17:00 Europe/London, no notice, no buffer)
    with different specialisms, so the directory's filter has something to tell apart."""
    from coachhub.tenancy.context import practice_context
    from tests.conftest import publish_coach

    with practice_context(acme_cast.practice):
        first = publish_coach(
            acme_cast.coach, headline="Leading through change", specialisms=["Executive presence", "Career transitions"],
            languages=["English", "French"], approach="Direct, warm and practical.",
        )
        second = publish_coach(
            acme_cast.coach2, headline="Calm under pressure", specialisms=["Resilience"], languages=["English"],
        )
    return first, second


def free_times(cast: PracticeCast, profile, zone_name: str, first_day=None, days: int = 7) -> list:
    """The coach's free start times as the slot picker lists them (one week from `first_day`,
    default today in `zone_name`), in `zone_name`."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from coachhub.tenancy.context import practice_context
    from coachhub.roster.slots import free_slots

    zone = ZoneInfo(zone_name)
    first_day = first_day or timezone.now().astimezone(zone).date()
    with practice_context(cast.practice):
        return free_slots(profile, first_day=first_day, last_day=first_day + timedelta(days=days - 1), zone=zone)


def bookable_later(slots: list, hours: int = 3) -> list:
    """Slots far enough ahead that none slips into the past (or the notice) while a test runs."""
    from datetime import timedelta

    from django.utils import timezone

    return [slot for slot in slots if slot > timezone.now() + timedelta(hours=hours)]


def messages_to(outbox: list, address: str, subject_start: str = "") -> list:
    return [m for m in outbox if address in m.to and m.subject.startswith(subject_start)]


def ics_of(message) -> str:
    """The text of the message's calendar attachment (unfolded)."""
    found = [a for a in message.attachments if a[2].startswith("text/calendar")]
    assert len(found) == 1, [a[:1] + a[2:] for a in message.attachments]
    content = found[0][1]
    content = content.decode() if isinstance(content, bytes) else content
    return content.replace("\r\n ", "").replace("\r\n", "\n")


def ics_field(ics: str, name: str) -> str:
    """The value of the first `NAME:` or `NAME;...:` line of an iCalendar text."""
    match = re.search(rf"^{name}(?:;[^:\n]*)?:(.*)$", ics, re.MULTILINE)
    assert match, f"no {name} in:\n{ics}"
    return match.group(1).strip()


def fetch(page: Page, url: str, method: str = "GET", **options):
    """`page.request` to a practice's address. The request runs in Playwright's Node process,
    whose resolver (unlike Chromium's) knows no `<slug>.localhost`: connect to `localhost` and
    send the practice's host name in the Host header, as a browser would."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    headers = {**options.pop("headers", {}), "Host": parts.netloc}
    loopback = urlunsplit(parts._replace(netloc=f"localhost:{parts.port}" if parts.port else "localhost"))
    return page.request.fetch(loopback, method=method, headers=headers, **options)
