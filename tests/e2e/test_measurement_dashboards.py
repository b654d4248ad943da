"""Measurement dashboards in the browser (issue 6): the sponsor filters their dashboard, sees a
chart with its text alternative, downloads the CSV and follows an engagement's links to its progress
page and report PDF; the admin opens the practice dashboard;
another organisation's sponsor gets 404 for the first sponsor's engagement."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.measurement.dashboard_support import engagement, other_organisation, portfolio, sponsor_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def five(acme_cast) -> list[int]:
    """On track, at risk, off track, not measured, achieved: all sponsored by acme's sponsor."""
    return portfolio(acme_cast, 5)


def test_the_sponsor_filters_sees_a_chart_and_downloads_the_csv(page: Page, acme_site, five):
    sign_in(page, acme_site, acme_site.cast.sponsor.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coaching progress").click()
    expect(page.get_by_role("heading", name="Coaching progress", level=1)).to_be_visible()
    expect(page.locator("article.engagement-progress")).to_have_count(5)

    page.get_by_label("Status").select_option(label="Off track")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(acme_site.url("/dashboard/sponsor/?stage=&status=off_track&coach="))
    off_track = engagement(acme_site.cast, five[2])
    cards = page.locator("article.engagement-progress")
    expect(cards).to_have_count(1)
    expect(cards.get_by_role("heading", name=off_track.coachee.full_name)).to_be_visible()
    expect(cards).to_contain_text("Off track")

    # The chart: an SVG image named by its title, with the numbers as text.
    chart = cards.get_by_role("img", name="Objective 1: Delegate decision area 1 to the team leads")
    expect(chart).to_have_count(1)
    expect(cards.locator("svg[role=img] desc").first).to_contain_text("Coachee: Baseline 4, Mid-point 5, End-point not rated.")
    table = cards.locator(".objective-chart__data table").first
    expect(table).to_contain_text("Coachee")
    expect(table).to_be_attached()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("coaching-progress-") and download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert rows[0][:3] == ["Coachee", "Coach", "Stage"]
    assert [row[0] for row in rows[1:]] == [off_track.coachee.full_name]

    # The engagement's own page, then the links it gives: the progress page and its report PDF.
    cards.get_by_role("link", name=off_track.coachee.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(off_track.coachee.full_name)
    expect(page.get_by_role("heading", name="Measurement points")).to_be_visible()
    expect(page.get_by_role("img", name="Objective 1: Delegate decision area 1 to the team leads")).to_have_count(1)
    page.get_by_role("link", name="Progress page").click()
    expect(page).to_have_url(acme_site.url(f"/engagements/{off_track.pk}/progress/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Progress:")
    page.go_back()
    with page.expect_download(timeout=20_000) as report:
        page.get_by_role("link", name="Progress report (PDF)").click()
    with open(report.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_the_admin_opens_the_practice_dashboard(page: Page, acme_site, five):
    sign_in(page, acme_site, acme_site.cast.admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Practice dashboard")).to_be_visible()
    expect(page.get_by_role("heading", name="Engagements by stage")).to_be_visible()
    first_row = page.locator("#track-heading ~ .table-wrap tbody tr").first
    expect(first_row).to_contain_text("Off track")
    expect(page.get_by_role("heading", name="Coaches")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Coach Acme")


def test_another_organisations_sponsor_gets_404_for_the_engagement(page: Page, acme_site, five):
    cast = acme_site.cast
    foreign = sponsor_of(cast, "sponsor-foreign", organisation=other_organisation(cast))  # the usual password

    sign_in(page, acme_site, foreign.email)
    response = page.goto(acme_site.url(f"/dashboard/sponsor/engagements/{five[0]}/"))
    assert response.status == 404
    page.goto(acme_site.url("/dashboard/sponsor/"))
    expect(page.locator("article.engagement-progress")).to_have_count(0)
