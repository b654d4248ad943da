"""The audit trail as an admin reads it in the browser: a colleague's sign-in and a role change
appear, filters narrow the list, the CSV downloads what is shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_follows_who_did_what(page: Page, acme_site, fresh_page):
    cast = acme_site.cast
    coach = fresh_page()
    sign_in(coach, acme_site, cast.coach.email)

    sign_in(page, acme_site, cast.admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("link", name=cast.coach2.get_full_name()).click()
    page.get_by_role("checkbox", name="Sponsor").check()
    page.get_by_label("Client organisation (sponsors and coachees)").select_option(label=cast.organisation.name)
    page.get_by_role("button", name="Save roles").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    entries = page.get_by_role("region", name="Audit entries")
    expect(entries.get_by_role("row").nth(1)).to_contain_text("Membership granted")
    expect(entries.get_by_role("row").nth(1)).to_contain_text(f"{cast.coach2.get_full_name()} as Sponsor")
    expect(entries).to_contain_text(cast.coach.email)

    page.get_by_label("Kind").select_option(label="Sign-ins")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_contain_text("match these filters")
    expect(entries).not_to_contain_text("Membership granted")
    expect(entries).to_contain_text("Account signed in")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert "account.signed_in" in text and "membership.granted" not in text

    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("region", name="Audit entries")).to_be_visible()
