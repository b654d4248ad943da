"""Practice settings as the admin changes them in the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_brand_colour_repaints_the_header(page: Page, acme_site, fresh_page):
    sign_in(page, acme_site, acme_site.cast.admin.email)
    header = page.get_by_role("banner")
    expect(header).not_to_have_css("background-color", "rgb(255, 204, 0)")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Practice settings")).to_be_visible()
    page.get_by_label("Brand colour").fill("#ffcc00")
    page.get_by_role("button", name="Save settings").click()

    expect(page.get_by_role("status")).to_contain_text("Practice settings saved.")
    expect(page.get_by_label("Brand colour")).to_have_value("#ffcc00")
    expect(header).to_have_css("background-color", "rgb(255, 204, 0)")
    # On a light colour the header's text turns dark, so it stays readable.
    expect(header.get_by_role("link", name="Acme Coaching")).to_have_css("color", "rgb(17, 17, 17)")

    # Everyone sees it, signed in or not.
    visitor = fresh_page()
    visitor.goto(acme_site.url("/"))
    expect(visitor.get_by_role("banner")).to_have_css("background-color", "rgb(255, 204, 0)")
