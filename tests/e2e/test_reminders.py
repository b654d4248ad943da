"""Reminders in the browser: a person changes their notification settings; an admin pauses an
engagement's reminders and sees them listed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.reminders.helpers import due_actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coach_turns_a_reminder_off_and_takes_the_morning_digest(page: Page, acme_site):
    sign_in(page, acme_site, acme_site.cast.coach.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()
    reminder = page.get_by_label("Chemistry call: a day before")
    expect(reminder).to_be_checked()
    reminder.uncheck()
    page.get_by_label("Send me one digest at 07:00").check()
    page.get_by_role("button", name="Save settings").click()

    expect(page.get_by_role("status")).to_contain_text("Your notification settings are saved.")
    expect(page.get_by_label("Chemistry call: a day before")).not_to_be_checked()
    expect(page.get_by_label("Chemistry call: an hour before")).to_be_checked()
    expect(page.get_by_label("Send me one digest at 07:00")).to_be_checked()


def test_an_admin_pauses_an_engagements_reminders(page: Page, acme_site):
    due_actions(acme_site.cast, 2)
    sign_in(page, acme_site, acme_site.cast.admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reminders").click()
    page.get_by_role("link", name=str(acme_site.cast.coachee)).click()
    expect(page.get_by_role("table")).to_contain_text("An action due tomorrow")
    page.get_by_role("button", name="Pause reminders").click()

    expect(page.locator("#pause-state")).to_contain_text("paused")
    page.get_by_role("button", name="Resume reminders").click()
    expect(page.locator("#pause-state")).to_contain_text("Reminders are on for this engagement.")
