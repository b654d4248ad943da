"""Each practice is its own place: people, data and sessions never cross between hosts."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from coachhub.tenancy.models import Practice
from tests.e2e.conftest import fill_login, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_of_another_practice_cannot_sign_in(page: Page, acme_site, globex_site):
    fill_login(page, acme_site, globex_site.cast.admin.email)

    expect(page.get_by_role("alert")).to_contain_text("This account has no access to Acme Coaching")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    page.goto(acme_site.url("/"))
    expect(page.get_by_role("main").get_by_role("link", name="Sign in")).to_be_visible()


def test_acme_data_never_appears_at_globex(page: Page, acme_site, globex_site):
    acme = acme_site.cast
    # Signed in at acme: globex is another site with its own session.
    sign_in(page, acme_site, acme.admin.email)
    page.goto(globex_site.url("/"))
    expect(page.get_by_role("banner")).to_contain_text("Globex Leadership")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    sign_in(page, globex_site, globex_site.cast.admin.email)
    expect(page.get_by_role("banner")).not_to_contain_text("Acme")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text(globex_site.cast.coach.email)
    expect(main).not_to_contain_text("acme")
    expect(main).not_to_contain_text("Acme")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Client organisations").click()
    expect(main).to_contain_text("Globex Leadership Client Ltd")
    expect(main).not_to_contain_text("Acme")

    # Acme's people and organisations are not found at globex, even by their address.
    for path in (f"/practice/people/{acme.coach.pk}/", f"/practice/organisations/{acme.organisation.pk}/"):
        response = page.goto(globex_site.url(path))
        assert response.status == 404, path
        expect(page.locator("body")).not_to_contain_text("Acme")


def test_an_unknown_host_has_no_practice(page: Page, site_at, transactional_db):
    nope = site_at("nope")
    response = page.goto(nope.url("/"))
    assert response.status == 404
    expect(page.get_by_role("heading", name="There is no coaching practice here")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("nope.localhost")

    response = page.goto(nope.url("/accounts/login/"))
    assert response.status == 404
    expect(page.get_by_role("heading", name="There is no coaching practice here")).to_be_visible()


def test_a_suspended_practice_is_unavailable(page: Page, acme_site):
    Practice.objects.filter(pk=acme_site.cast.practice.pk).update(suspended_at=timezone.now())

    for path in ("/", "/accounts/login/"):
        response = page.goto(acme_site.url(path))
        assert response.status == 403, path
        expect(page.get_by_role("heading", name="Acme Coaching is unavailable")).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text("Nothing has been deleted")
