"""A coach connects their own CalDAV calendar on /roster/me/calendars/ in a real browser; the
meeting in it takes the slot out of their booking page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import bookable_later, free_times, sign_in
from tests.roster.calendar_helpers import ics, stamp, vevent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def radio_for(page: Page, moment):
    return page.locator(f'input[type=radio][name=start][value="{moment.isoformat()}"]')


def test_a_coach_connects_a_calendar_and_a_busy_slot_disappears(page: Page, page_with, acme_site, acme_coaches, radicale):
    profile = acme_coaches[0]
    slot = bookable_later(free_times(acme_site.cast, profile, "Europe/London"))[0]
    username, password = radicale.add_user()
    work = radicale.make_calendar(username, password, "Work")
    work.save_event(ics(vevent("dentist@x", stamp(slot), stamp(slot + timedelta(minutes=30)))))

    visitor = page_with(timezone_id="Europe/London")
    visitor.goto(acme_site.url(f"/coaches/{profile.pk}/"))
    expect(radio_for(visitor, slot)).to_have_count(1)

    sign_in(page, acme_site, acme_site.cast.coach.email)
    page.goto(acme_site.url("/roster/me/calendars/"))
    page.get_by_label("CalDAV server address").fill(radicale.url)
    page.get_by_label("User name").fill(username)
    page.get_by_label("App password").fill(password)
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_text("Connected 127.0.0.1")).to_be_visible()
    expect(page.get_by_text("1 busy time read.")).to_be_visible()
    expect(page.get_by_label("Work", exact=True).first).to_be_checked()

    visitor.reload()
    expect(visitor.locator("input[type=radio][name=start]").first).to_be_visible()
    expect(radio_for(visitor, slot)).to_have_count(0)
