"""Data rights in the browser: a coachee downloads their data by the emailed link and asks to be erased;
an admin handles the request from the data-requests page."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import link_in, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_coachee_gets_their_data_and_an_admin_handles_their_erasure_request(page: Page, acme_site, outbox):
    cast = acme_site.cast
    sign_in(page, acme_site, cast.coachee2.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My data").click()
    expect(page.get_by_role("heading", name="Your data at Acme Coaching")).to_be_visible()
    page.get_by_role("button", name="Ask for my data").click()
    expect(page.get_by_role("status")).to_contain_text("Your data is being prepared")

    message = next(m for m in outbox if m.to == [cast.coachee2.email])
    page.goto(link_in(message, "/accounts/data/download/"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the ZIP").click()
    with zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())) as archive:
        assert {"README.txt", "person.json"} <= set(archive.namelist())
        assert json.loads(archive.read("person.json"))["account"]["email"] == cast.coachee2.email

    page.goto(acme_site.url("/accounts/data/"))
    page.get_by_role("button", name="Ask to be erased").click()
    expect(page.get_by_role("status")).to_contain_text("Your request to be erased is with the practice's admins")
    expect(page.locator("#erasure-status")).to_contain_text("You asked to be erased on")
    sign_out(page)

    sign_in(page, acme_site, cast.admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Data requests").click()
    requests = page.locator("#erasure-requests")
    expect(requests).to_contain_text("Coachee2 Acme")
    requests.get_by_role("link", name="Review and erase").click()
    expect(page.get_by_role("heading", name="Erase Coachee2 Acme")).to_be_visible()
    expect(page.locator("#legal-basis")).to_contain_text("Article 17(3)(b)")
    page.get_by_role("button", name="Erase Coachee2 Acme").click()
    expect(page.get_by_role("status")).to_contain_text("Former coachee 1")
    expect(requests).to_contain_text("Former coachee 1")
    expect(requests).to_contain_text("Erased")
    expect(requests).not_to_contain_text("Coachee2 Acme")


def test_an_admin_sees_what_the_retention_purge_took(page: Page, acme_site):
    from coachhub.tenancy.context import practice_context
    from records.retention import purge_expired_records
    from tests.records.conftest import coached
    from tests.records.test_retention_engagements import complete_past_retention

    cast = acme_site.cast
    state = coached(cast)
    complete_past_retention(cast, state.main)
    with practice_context(cast.practice):
        assert purge_expired_records().engagements == 1
    sign_in(page, acme_site, cast.admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Data requests").click()
    requests = page.locator("#erasure-requests")
    expect(requests).to_contain_text("Former coachee 1")
    expect(requests).to_contain_text("Nobody: the retention purge")
    expect(requests).to_contain_text("record-keeping period of their coaching ended")

    page.goto(acme_site.url(f"/engagements/{state.main.pk}/contract/"))
    expect(page.get_by_role("heading", name="Coaching contract: Former coachee (records purged) with Coach Acme")).to_be_visible()
    page.get_by_role("region", name="Versions").get_by_role("link", name="Version 1").click()
    expect(page.locator("#purged")).to_contain_text("were purged on")
    expect(page.get_by_role("link", name="Download PDF")).to_have_count(0)
