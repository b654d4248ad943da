"""The coachee names a stakeholder on their engagement page; the stakeholder gets the emailed link
and answers on a phone-width page, without an account; the link shows nothing else."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import link_in, sign_in
from tests.stakeholders.conftest import due_point, stakeholder_engagement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def test_the_coachee_nominates_and_the_stakeholder_answers_on_a_phone(page: Page, acme_site, outbox, page_with):
    cast = acme_site.cast
    engagement = stakeholder_engagement(cast)
    due_point(cast, engagement)
    outbox.clear()

    sign_in(page, acme_site, engagement.coachee.email)
    page.goto(acme_site.url(f"/engagements/{engagement.pk}/stakeholders/"))
    expect(page.get_by_role("heading", name="Name a stakeholder")).to_be_visible()
    page.get_by_label("Group", exact=True).select_option(label="Peers")
    page.get_by_label("Name", exact=True).fill("Pat Peer")
    page.get_by_label("Email").fill("pat.peer@client.example")
    page.get_by_role("button", name="Name this stakeholder").click()
    expect(page.get_by_role("main")).to_contain_text("Pat Peer")
    # A bad one gets its message next to the field.
    page.get_by_label("Group", exact=True).select_option(label="Direct reports")
    page.get_by_label("Name", exact=True).fill("Pat Again")
    page.get_by_label("Email").fill("PAT.PEER@client.example")
    page.get_by_role("button", name="Name this stakeholder").click()
    expect(page.get_by_role("main")).to_contain_text("already named")

    invitations = [m for m in outbox if m.to == ["pat.peer@client.example"]]
    assert len(invitations) == 1, [m.to for m in outbox]
    link = link_in(invitations[0], "/feedback/")
    # Sent from a worker, the link names the practice's configured address; here, the live server's.
    assert urlsplit(link).hostname == "acme.localhost"
    link = acme_site.url(urlsplit(link).path)

    phone = page_with(**PHONE)
    phone.goto(link)
    expect(phone.get_by_role("heading", name=f"Feedback for {engagement.coachee.get_full_name()}")).to_be_visible()
    # One page that fits the phone: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    expect(phone.get_by_role("main")).not_to_contain_text("Coach Acme")
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.get_by_role("main")).to_contain_text("Choose a rating from 1 to 10")
    phone.get_by_role("group").first.get_by_label("7", exact=True).check()
    phone.get_by_label("One comment").fill("Listens more in meetings.")
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    # The answer can be changed until the point closes.
    phone.get_by_role("link", name="change it").click()
    expect(phone.get_by_role("group").first.get_by_label("7", exact=True)).to_be_checked()
    expect(phone.get_by_label("One comment")).to_have_value("Listens more in meetings.")
