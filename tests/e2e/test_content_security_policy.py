"""Every page is served under a Content-Security-Policy that allows the site's own scripts,
styles and images only. The e2e conftest fails any browser test on a refusal; these tests check
that the refusal is really seen, and walk the pages the policy could break: branded practice
pages, a page with a chart, and Django admin on the bare domain."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import make_user
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.browser

POLICY = {"default-src 'self'", "base-uri 'self'", "object-src 'none'", "frame-ancestors 'none'", "form-action 'self'"}


def test_pages_carry_the_policy_and_the_brand_colour_arrives_from_a_stylesheet(page, acme_site, csp_violations):
    acme = acme_site.cast.practice
    acme.brand_colour = "#8a1c1c"
    acme.save(update_fields=["brand_colour"])
    response = page.goto(acme_site.url("/coaches/"))
    assert set(response.headers["content-security-policy"].split("; ")) == POLICY
    header = page.locator(".site-header")
    expect(header).to_have_css("background-color", "rgb(138, 28, 28)")
    assert page.locator("style").count() == 0 and page.locator("[style]").count() == 0


def test_an_inline_style_is_refused_and_reported(page, acme_site, csp_violations):
    page.goto(acme_site.url("/coaches/"))
    # Wait for the refusal itself (the console message), not for a while.
    with page.expect_console_message(lambda message: "inline style" in message.text, timeout=10_000):
        page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>body { color: red }</style>')")
    assert any("inline style" in refusal for refusal in csp_violations), csp_violations
    csp_violations.clear()


def test_signed_in_pages_load_under_the_policy(page, acme_site):
    cast = acme_site.cast
    sign_in(page, acme_site, cast.admin.email)
    for path in ("/", "/practice/settings/", "/practice/people/", "/roster/", "/practice/dashboard/"):
        response = page.goto(acme_site.url(path))
        assert response.status == 200, path


def test_django_admin_works_under_the_policy(page, site_at, transactional_db):
    platform = site_at(None)
    staff = make_user("staff@coachhub.test", "Platform Staff")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    page.goto(platform.url("/accounts/login/?next=/admin/"))
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password", exact=True).fill("correct-horse-battery-9")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(platform.url("/admin/tenancy/practice/add/"))
    page.get_by_label("Slug").fill("initech")
    page.get_by_label("Name").fill("Initech Coaching")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    page.goto(platform.url("/admin/tenancy/practice/"))
    expect(page.get_by_role("link", name="Initech Coaching")).to_be_visible()
