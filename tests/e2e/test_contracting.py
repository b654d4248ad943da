"""Contracting in the browser (journey step 3): the coach drafts and sends the contract, the
coachee accepts, the sponsor asks for changes, the coach revises it and every party accepts the
new version; a party downloads the accepted version's PDF, which another coach cannot; a draft
with bad input keeps what was typed and says what is wrong next to each field.

Set E2E_SCREENSHOT_DIR to keep screenshots of the draft, review and contract pages."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from coachhub.tenancy.context import practice_context
from engagements.models import ContractVersion, Engagement
from tests.contracts.conftest import (  # noqa: F401  (media_root: autouse, PDFs under tmp_path)
    accepted_by_all,
    draft,
    matched_engagement,
    media_root,
)
from tests.e2e.conftest import messages_to, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def snap(page: Page, name: str) -> None:
    """A full-page screenshot under $E2E_SCREENSHOT_DIR, when it is set."""
    folder = os.environ.get("E2E_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def new_objective(page: Page) -> Locator:
    """The empty objective form at the end of the draft (legend "Add an objective")."""
    return page.get_by_role("group", name="Add an objective")


def fill_objective(objective: Locator, description: str, measure: str, baseline: str, *, sponsor_rates: bool) -> None:
    objective.get_by_label("Objective", exact=True).fill(description)
    objective.get_by_label("Success measure").fill(measure)
    objective.get_by_label("Coachee", exact=True).check()
    objective.get_by_label("Coach", exact=True).check()
    if sponsor_rates:
        objective.get_by_label("Sponsor", exact=True).check()
    objective.get_by_label("Baseline today (1–10)").select_option(baseline)
    objective.get_by_label("Target (1–10)").select_option(str(min(int(baseline) + 3, 10)))


def answer_from_home(page: Page, coachee: str, coach: str, number: int) -> None:
    """Follow the home page's "Review the contract" link for version `number`."""
    page.get_by_role("link", name=f"Review the contract for {coachee} with {coach} (version {number})").click()
    expect(page.get_by_role("heading", name=f"Coaching contract, version {number}")).to_be_visible()


def test_three_way_contracting_with_a_request_for_changes_and_a_revision(page: Page, fresh_page, page_with, acme_site, outbox):
    cast = acme_site.cast
    coach, coachee, sponsor = cast.coach, cast.coachee2, cast.sponsor
    engagement = matched_engagement(cast)

    # The coach finds the engagement from their home page and drafts the contract.
    sign_in(page, acme_site, coach.email)
    page.get_by_role("main").get_by_role("link", name="Contracts").click()
    page.get_by_role("row").filter(has_text=str(coachee)).get_by_role("link", name=str(coachee)).click()
    expect(page.get_by_role("heading", name=f"Coaching contract: {coachee} with {coach}")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Engagement: Contracting")
    page.get_by_role("button", name="Draft the contract").click()
    expect(page.get_by_role("heading", name=f"Contract for {coachee}: draft version 1")).to_be_visible()

    package = page.get_by_role("group", name="Package")
    package.get_by_label("Number of sessions").fill("8")
    package.get_by_label("Frequency").select_option(label="Every two weeks")
    package.get_by_label("Session length (minutes)").fill("60")
    package.get_by_label("Start date").fill("2027-01-11")
    package.get_by_label("End date").fill("2027-07-12")
    parties = page.get_by_role("group", name="Sponsor and client organisation")
    parties.get_by_label("Sponsor").select_option(label=f"{sponsor.get_full_name()} <{sponsor.email}>")
    parties.get_by_label("Client organisation").select_option(label=cast.organisation.name)
    fill_objective(
        new_objective(page), "Build trust quickly in the newly merged team.",
        "Team pulse survey: trust score up from 5 to 7.", "4", sponsor_rates=True,
    )
    sections = page.get_by_role("group", name="Sections")
    sections.get_by_label("Confidentiality").fill("What we discuss stays between us; the sponsor sees only progress ratings.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved.")
    expect(page.get_by_role("group", name="Objective 1").get_by_label("Objective", exact=True)).to_have_value(
        "Build trust quickly in the newly merged team."
    )
    # A second objective, then send.
    fill_objective(
        new_objective(page), "Delegate the weekly operations review.",
        "Runs without me for a whole quarter.", "3", sponsor_rates=False,
    )
    snap(page, "draft-desktop")
    page.get_by_role("button", name="Save and send for acceptance").click()
    expect(page.get_by_role("heading", name="Coaching contract, version 1")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Version 1 is sent. Each party has been asked to accept it.")
    expect(page.get_by_role("main")).to_contain_text(f"Waiting for: {coachee.get_full_name()}, {coach.get_full_name()}, {sponsor.get_full_name()}")
    assert messages_to(outbox, coachee.email) and messages_to(outbox, sponsor.email)

    # The coachee reviews it and accepts.
    coachee_page = fresh_page()
    sign_in(coachee_page, acme_site, coachee.email)
    answer_from_home(coachee_page, str(coachee), str(coach), 1)
    contract = coachee_page.get_by_role("article")
    expect(contract).to_contain_text("Every two weeks")
    expect(contract).to_contain_text("60 minutes")
    expect(contract).to_contain_text("11 January 2027 to 12 July 2027")
    expect(contract).to_contain_text("the sponsor sees only progress ratings")
    objectives = contract.get_by_role("table", name="Objectives")
    expect(objectives.get_by_role("row").filter(has_text="Build trust quickly")).to_contain_text("coachee, coach, sponsor")
    expect(objectives.get_by_role("row").filter(has_text="Delegate the weekly")).to_contain_text("3 / 10")
    snap(coachee_page, "review-desktop")
    coachee_page.get_by_role("button", name="I accept this contract").click()
    expect(coachee_page.get_by_role("status")).to_contain_text("You accepted the contract. We'll let you know when every party has.")
    expect(coachee_page.get_by_role("button", name="I accept this contract")).to_have_count(0)

    # The sponsor asks for changes, with a comment.
    sponsor_page = fresh_page()
    sign_in(sponsor_page, acme_site, sponsor.email)
    answer_from_home(sponsor_page, str(coachee), str(coach), 1)
    expect(sponsor_page.get_by_role("heading", name="Your answer as sponsor")).to_be_visible()
    comment = "Please make it ten sessions: the merger runs until the summer."
    sponsor_page.get_by_label("What would you like changed?").fill(comment)
    sponsor_page.get_by_role("button", name="Ask for changes").click()
    expect(sponsor_page.get_by_role("status")).to_contain_text("Your request for changes is recorded; the coach has been told.")

    # The coach is told, reads the comment and revises the contract (version 2).
    assert messages_to(outbox, coach.email)
    page.goto(acme_site.url(f"/engagements/{engagement.pk}/contract/"))
    history = page.get_by_role("table", name="Every version of this contract, newest first")
    expect(history.get_by_role("row").filter(has_text="Version 1")).to_contain_text("Sponsor: asked for changes")
    page.get_by_role("link", name="Version 1", exact=True).first.click()
    record = page.get_by_role("table", name="Who answered, when, from where, and the fingerprint of the text they saw")
    expect(record.get_by_role("row").filter(has_text=sponsor.get_full_name())).to_contain_text(comment)
    page.go_back()
    page.get_by_role("button", name="Revise the contract").click()
    expect(page.get_by_role("heading", name=f"Contract for {coachee}: draft version 2")).to_be_visible()
    expect(page.get_by_label("Number of sessions")).to_have_value("8")  # the amendment starts from version 1
    page.get_by_label("Number of sessions").fill("10")
    page.get_by_role("button", name="Save and send for acceptance").click()
    expect(page.get_by_role("status")).to_contain_text("Version 2 is sent.")

    # Every party accepts version 2: coachee, sponsor, and last the coach.
    for party_page in (coachee_page, sponsor_page):
        party_page.goto(acme_site.url("/"))
        answer_from_home(party_page, str(coachee), str(coach), 2)
        sessions = party_page.get_by_role("article").locator("dt", has_text="Sessions").locator("xpath=following-sibling::dd[1]")
        expect(sessions).to_have_text("10")
        party_page.get_by_role("button", name="I accept this contract").click()
        expect(party_page.get_by_role("status")).to_contain_text("You accepted the contract.")
    page.goto(acme_site.url("/"))
    answer_from_home(page, str(coachee), str(coach), 2)
    snap(page, "contract-desktop")
    page.get_by_role("button", name="I accept this contract").click()
    expect(page.get_by_role("status")).to_contain_text("Every party has now accepted: the coaching is under way.")
    expect(page.get_by_role("main")).to_contain_text("Accepted by every party")

    # The engagement is active, and the history keeps both versions.
    page.get_by_role("link", name="← All versions of this contract").click()
    expect(page.get_by_role("main")).to_contain_text("Engagement: Active")
    rows = history.get_by_role("row")
    expect(rows).to_have_count(3)  # header + two versions
    expect(rows.nth(1)).to_contain_text("Version 2")
    expect(rows.nth(1)).to_contain_text("Accepted")
    expect(rows.nth(2)).to_contain_text("Version 1")
    expect(rows.nth(2)).to_contain_text("Superseded")
    with practice_context(cast.practice):
        assert Engagement.objects.get(pk=engagement.pk).stage == Engagement.Stage.ACTIVE
        versions = {v.number: v for v in ContractVersion.objects.filter(engagement=engagement)}
        assert versions[2].status == "accepted" and versions[2].sessions == 10
        assert versions[1].status == "superseded" and versions[1].sessions == 8
        assert versions[2].acceptances.filter(decision="accepted").count() == 3

    # The accepted contract reads on a phone.
    phone = page_with(**PHONE)
    sign_in(phone, acme_site, coachee.email)
    phone.goto(acme_site.url(f"/contracts/{versions[2].pk}/"))
    expect(phone.get_by_role("link", name="Download PDF")).to_be_visible()
    expect(phone.get_by_role("article")).to_contain_text("the sponsor sees only progress ratings")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "the contract page scrolls sideways on a phone"
    snap(phone, "contract-phone")


def test_a_party_downloads_the_accepted_pdf_and_another_coach_gets_404(page: Page, fresh_page, acme_site):
    cast = acme_site.cast
    version = accepted_by_all(cast, matched_engagement(cast))

    sign_in(page, acme_site, cast.sponsor.email)
    page.goto(acme_site.url(f"/contracts/{version.pk}/"))
    expect(page.get_by_role("main")).to_contain_text("Accepted by every party")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"coaching-contract-{version.engagement_id}-v{version.number}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    other_coach = fresh_page()
    sign_in(other_coach, acme_site, cast.coach2.email)
    for path in (f"/contracts/{version.pk}/pdf/", f"/contracts/{version.pk}/"):
        response = other_coach.goto(acme_site.url(path))
        assert response.status == 404, path
        assert not response.body().startswith(b"%PDF")


def test_bad_input_on_the_draft_is_explained_next_to_each_field_and_nothing_typed_is_lost(page: Page, page_with, acme_site):
    cast = acme_site.cast
    version = draft(cast, matched_engagement(cast))  # complete: 6 sessions, 11 Jan to 10 Jul 2027, 1 objective

    sign_in(page, acme_site, cast.coach.email)
    page.goto(acme_site.url(f"/contracts/{version.pk}/edit/"))
    package = page.get_by_role("group", name="Package")
    package.get_by_label("Number of sessions").fill("0")
    package.get_by_label("Start date").fill("2027-03-01")
    package.get_by_label("End date").fill("2027-02-01")
    objective = new_objective(page)
    objective.get_by_label("Objective", exact=True).fill("Speak up in the executive committee.")
    objective.get_by_label("Baseline today (1–10)").select_option("5")
    page.get_by_role("group", name="Sections").get_by_label("Commitment").fill("We both turn up prepared.")
    page.get_by_role("button", name="Save the draft").click()

    # Each message sits with its field.
    sessions = package.get_by_label("Number of sessions")
    def field_of(within: Locator, label: str) -> Locator:
        return within.locator(".field").filter(has=page.get_by_label(label, exact=True))

    expect(field_of(package, "Number of sessions")).to_contain_text("A package has at least one session.")
    expect(field_of(package, "End date")).to_contain_text("The end date must be after the start date.")
    objective = new_objective(page)
    expect(field_of(objective, "Success measure")).to_contain_text("Say how success will be measured.")
    # ...and a screen reader hears it with the field.
    expect(sessions).to_have_accessible_description(re.compile("A package has at least one session"))
    expect(objective.get_by_label("Success measure")).to_have_accessible_description(
        re.compile("Say how success will be measured")
    )
    end = package.get_by_label("End date")
    expect(page.get_by_role("status")).to_have_count(0)  # not "Draft saved."
    snap(page, "draft-errors-desktop")

    # What was typed is still there.
    expect(sessions).to_have_value("0")
    expect(package.get_by_label("Start date")).to_have_value("2027-03-01")
    expect(end).to_have_value("2027-02-01")
    expect(objective.get_by_label("Objective", exact=True)).to_have_value("Speak up in the executive committee.")
    expect(objective.get_by_label("Baseline today (1–10)")).to_have_value("5")
    expect(page.get_by_role("group", name="Sections").get_by_label("Commitment")).to_have_value("We both turn up prepared.")
    expect(page.get_by_role("group", name="Objective 1").get_by_label("Objective", exact=True)).to_have_value("Objective number 1")

    # And nothing was saved over the draft.
    with practice_context(cast.practice):
        version.refresh_from_db()
        assert version.sessions == 6 and str(version.end_date) == "2027-07-10"
        assert version.objectives.count() == 1

    # The draft page works on a phone: nothing wider than the screen.
    phone = page_with(**PHONE)
    sign_in(phone, acme_site, cast.coach.email)
    phone.goto(acme_site.url(f"/contracts/{version.pk}/edit/"))
    expect(phone.get_by_role("button", name="Save and send for acceptance")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "the draft page scrolls sideways on a phone"
    snap(phone, "draft-phone")
