"""Measurement in the browser (issue 6): at the mid-point the coachee, the coach and the sponsor
each rate on the form; the point closes when the last has rated, the status shows with its
reason, and the progress report PDF downloads."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from coachhub.tenancy.context import practice_context
from measurement.models import MeasurementPoint
from tests.e2e.conftest import sign_in
from tests.sessions.conftest import active_engagement, log, past_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def due_point(acme_cast):
    """coachee2 with the coach and the sponsor, 3 of 6 sessions held: the mid-point is due."""
    engagement = active_engagement(acme_cast)
    for number in (1, 2, 3):
        log(acme_cast, past_session(acme_cast, engagement, days_ago=30 - 7 * number, number=number))
    with practice_context(acme_cast.practice):
        point = MeasurementPoint.objects.get(engagement=engagement, kind="mid")
    assert point.fell_due_at is not None
    return engagement, point


def rate_on_the_form(page: Page, site, email: str, score: str, comment: str, url: str, *, last: bool = False) -> None:
    sign_in(page, site, email)
    page.goto(url)
    expect(page.get_by_role("heading", name="Your ratings")).to_be_visible()
    page.get_by_label("Your rating for objective 1 (1–10)").select_option(score)
    page.get_by_label("Comment on objective 1").fill(comment)
    page.get_by_role("button", name="Save my ratings").click()
    expected = "Everyone has now rated, so the point is closed." if last else "You can correct them until the point closes."
    expect(page.get_by_role("status")).to_contain_text(expected)


def test_three_raters_rate_the_point_closes_and_the_report_downloads(acme_site, due_point, fresh_page, page_with):
    engagement, point = due_point
    cast = acme_site.cast
    url = acme_site.url(f"/engagements/{engagement.pk}/progress/points/{point.pk}/")

    coachee = fresh_page()
    rate_on_the_form(coachee, acme_site, engagement.coachee.email, "6", "Leading the merged team feels easier.", url)
    # On a phone-sized screen, the sponsor's form works the same.
    sponsor = page_with(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    rate_on_the_form(sponsor, acme_site, cast.sponsor.email, "5", "Visible progress in the weekly review.", url)
    coach = fresh_page()
    rate_on_the_form(coach, acme_site, cast.coach.email, "6", "<b>Good</b> momentum.", url, last=True)

    main = coach.get_by_role("main")
    expect(main).to_contain_text("On track")
    expect(main).to_contain_text("All 1 objective reached the bar after 3 of 6 sessions")
    expect(main).to_contain_text("<b>Good</b> momentum.")  # shown as text, not markup
    coach.get_by_text("How “on track” was worked out").click()
    expect(main).to_contain_text("sessions held ÷ sessions contracted")

    # The coachee now sees everyone's ratings, the status and its reason on their engagement page.
    coachee.goto(acme_site.url(f"/engagements/{engagement.pk}/sessions/"))
    panel = coachee.get_by_role("region", name="Progress on the objectives")
    expect(panel).to_contain_text("On track")
    expect(panel.get_by_role("img").first).to_be_visible()

    coachee.goto(url)
    expect(coachee.get_by_role("main")).to_contain_text("Visible progress in the weekly review.")
    with coachee.expect_download(timeout=20_000) as download:
        coachee.goto(acme_site.url(f"/engagements/{engagement.pk}/progress/"))
        coachee.get_by_role("link", name="Progress report (PDF)").first.click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert download.value.suggested_filename == f"progress-report-{engagement.pk}.pdf"
