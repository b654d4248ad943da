"""The coachee names a stakeholder on their engagement page; the coach approves them; only then does
the stakeholder get the emailed link, and answers on a phone-width page, without an account; the link
shows nothing else. At a baseline round too: named while it is open, invited once approved, answering;
the coach closes the round and the progress page shows where the stakeholders started."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import link_in, sign_in
from tests.measurement.conftest import point_of
from tests.stakeholders.conftest import answer, due_point, name, stakeholder_engagement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def approve(coach: Page, site, engagement, nominee: str) -> None:
    """The coach confirms the nominee from the list on the engagement's stakeholder page."""
    sign_in(coach, site, engagement.coach.email)
    coach.goto(site.url(f"/engagements/{engagement.pk}/stakeholders/"))
    expect(coach.get_by_role("heading", name="1 stakeholder waits for your approval")).to_be_visible()
    coach.get_by_role("button", name=f"Approve {nominee}").click()
    expect(coach.get_by_role("main")).to_contain_text(f"{nominee} is approved")


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
    expect(page.get_by_role("main")).to_contain_text("waiting for your coach")
    # A bad one gets its message next to the field: the same mailbox, however written.
    page.get_by_label("Group", exact=True).select_option(label="Direct reports")
    page.get_by_label("Name", exact=True).fill("Pat Again")
    page.get_by_label("Email").fill("PAT.PEER+again@client.example")
    page.get_by_role("button", name="Name this stakeholder").click()
    expect(page.get_by_role("main")).to_contain_text("already named")
    assert not [m for m in outbox if m.to == ["pat.peer@client.example"]]  # not before the coach approves

    approve(page_with(), acme_site, engagement, "Pat Peer")
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


def test_someone_named_while_the_baseline_round_is_open_answers_it(page: Page, acme_site, outbox, page_with):
    cast = acme_site.cast
    engagement = stakeholder_engagement(cast, baseline=True)
    baseline = point_of(cast, engagement, "baseline")
    # Two peers were named, approved and answered already: below the group's minimum of 3.
    for peer, score in zip(name(cast, engagement, "Peers", 2), (4, 5), strict=True):
        answer(cast, baseline, peer, score, "Steady, but decides alone." if score == 4 else "")
    outbox.clear()

    sign_in(page, acme_site, engagement.coachee.email)
    page.goto(acme_site.url(f"/engagements/{engagement.pk}/stakeholders/"))
    main = page.get_by_role("main")
    expect(main).to_contain_text("in the groups with 3 answers or more: 0 of 2 asked.")
    expect(main).to_contain_text("fewer than 3")
    page.get_by_label("Group", exact=True).select_option(label="Peers")
    page.get_by_label("Name", exact=True).fill("Robin Reed")
    page.get_by_label("Email").fill("robin.reed@client.example")
    page.get_by_role("button", name="Name this stakeholder").click()
    expect(main).to_contain_text("waiting for your coach")
    approve(page_with(), acme_site, engagement, "Robin Reed")
    page.reload()
    expect(page.get_by_role("main")).to_contain_text("in the groups with 3 answers or more: 0 of 3 asked.")

    invitations = [m for m in outbox if m.to == ["robin.reed@client.example"]]
    assert len(invitations) == 1, [m.to for m in outbox]
    assert "This first round, as the coaching starts" in invitations[0].body
    phone = page_with(**PHONE)
    phone.goto(acme_site.url(urlsplit(link_in(invitations[0], "/feedback/")).path))
    expect(phone.get_by_role("main")).to_contain_text("This first round")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.get_by_role("group").first.get_by_label("6", exact=True).check()
    phone.get_by_label("One comment").fill("Asks the team before deciding, lately.")
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()

    coach = page_with()
    sign_in(coach, acme_site, engagement.coach.email)
    coach.goto(acme_site.url(f"/engagements/{engagement.pk}/progress/"))
    coach.get_by_role("link", name="Baseline round").first.click()
    expect(coach.get_by_role("main")).to_contain_text("Open to the stakeholders")
    expect(coach.get_by_role("main")).to_contain_text(
        "Answered so far: 3 of 3 asked, in groups with 3 answers or more "
        "(Line manager fewer than 3, Peers 3, Direct reports fewer than 3)"
    )
    coach.once("dialog", lambda dialog: dialog.accept())  # "Close the baseline round now, before …?"
    coach.get_by_role("button", name="Close the baseline round").click()
    expect(coach.get_by_role("main")).to_contain_text("Baseline taken")
    expect(coach.get_by_role("main")).to_contain_text("3 responses counted")
    coach.goto(acme_site.url(f"/engagements/{engagement.pk}/progress/"))
    main = coach.get_by_role("main")
    expect(main).to_contain_text("Baseline round: Stakeholders (n=3): 5")
    expect(main).to_contain_text("Asks the team before deciding, lately.")
    expect(main).not_to_contain_text("Robin Reed")
    # The link no longer opens the form.
    phone.reload()
    expect(phone.get_by_role("main")).to_contain_text("This feedback round has closed")
