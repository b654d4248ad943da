"""Every page a browser test visits is checked with axe-core (tests/e2e/accessibility.py). These
tests check the checker: a violation is really reported (rule, elements, address, both widths), a
page state is checked once, and an axe run that never finishes fails the test within its time
instead of hanging the suite."""

from __future__ import annotations

import time

import pytest

from tests.e2e import accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_to_main(page, html: str) -> None:
    """New markup (a new page state, so not one checked before in this run)."""
    page.evaluate("(html) => document.querySelector('main').insertAdjacentHTML('beforeend', html)", html)


def test_a_violation_is_reported_with_its_rule_elements_address_and_width(page, acme_site, accessibility_watch):
    page.goto(acme_site.url("/coaches/"))
    add_to_main(page, '<input type="text" id="self-test-unlabelled">')
    accessibility_watch.mark(page)
    page.title()  # the test's next call checks what is marked first

    found = accessibility_watch.violations
    assert len(found) == 2, found
    for report, width in zip(found, ("desktop 1280×800", "phone 390×844")):
        assert report.startswith(f"{acme_site.url('/coaches/')} at {width}: label (critical)"), report
        assert "#self-test-unlabelled" in report, report
    found.clear()


def test_a_page_state_is_checked_once_and_a_new_state_again(page, acme_site, accessibility_watch):
    page.goto(acme_site.url("/coaches/"))
    page.title()
    runs = accessibility_watch.runs
    page.goto(acme_site.url("/coaches/"))
    page.title()
    assert accessibility_watch.runs == runs

    add_to_main(page, '<p class="self-test-new-state">Another state</p>')
    accessibility_watch.mark(page)
    page.title()
    assert accessibility_watch.runs == runs + 2  # desktop and phone
    assert not accessibility_watch.violations


def test_an_axe_run_that_never_finishes_fails_the_test_in_its_time(page, acme_site, accessibility_watch, monkeypatch):
    monkeypatch.setattr(accessibility, "CHECK_TIMEOUT_MS", 1_500)
    page.goto(acme_site.url("/coaches/"))
    page.title()
    page.evaluate("() => { window.axe = { run: () => new Promise(() => {}) }; }")
    add_to_main(page, '<p class="self-test-stuck">A page axe never finishes</p>')
    accessibility_watch.mark(page)

    started = time.monotonic()
    page.title()
    assert time.monotonic() - started < 6

    found = accessibility_watch.violations
    assert len(found) == 1 and "did not finish within its time" in found[0] and "1500ms" in found[0], found
    assert accessibility_watch.stopped  # and the rest of the test goes unchecked rather than slow
    found.clear()
