"""An admin invites a coach by email; the coach follows the emailed link and joins."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import link_in, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "lantern-orchard-57-quietly"


def open_invite_form(page: Page, site) -> None:
    sign_in(page, site, site.cast.admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("link", name="Invite someone").click()
    expect(page.get_by_role("heading", name="Invite someone to Acme Coaching")).to_be_visible()


def test_invited_coach_joins_by_the_emailed_link(page: Page, acme_site, outbox, fresh_page):
    open_invite_form(page, acme_site)
    page.get_by_label("Email address").fill("Nadia.Coach@Example.com")
    page.get_by_label("Name").fill("Nadia Okafor")
    page.get_by_label("Role").select_option(label="Coach")
    page.get_by_role("button", name="Send invitation").click()

    expect(page).to_have_url(acme_site.url("/practice/people/"))
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to nadia.coach@example.com")
    expect(page.get_by_role("main")).to_contain_text("nadia.coach@example.com as coach")

    assert len(outbox) == 1, [m.subject for m in outbox]
    message = outbox[0]
    assert message.to == ["nadia.coach@example.com"]
    assert "Acme Coaching" in message.subject
    link = link_in(message, "/invitations/")
    assert link.startswith(acme_site.url("/invitations/")), link  # the practice's own address
    html = next(body for body, mime in message.alternatives if mime == "text/html")
    assert link in html

    # The invitee, in their own browser.
    invitee = fresh_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Join Acme Coaching")).to_be_visible()
    expect(invitee.get_by_role("main")).to_contain_text("invited as coach")
    expect(invitee.get_by_label("Your name")).to_have_value("Nadia Okafor")
    invitee.get_by_label("Choose a password").fill(NEW_PASSWORD)
    invitee.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Accept invitation").click()

    expect(invitee).to_have_url(acme_site.url("/"))
    expect(invitee.get_by_role("status")).to_contain_text("Welcome to Acme Coaching.")
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Welcome, Nadia")
    expect(invitee.get_by_role("main").get_by_role("heading", name="Coach", exact=True)).to_be_visible()

    # The link has done its job.
    response = invitee.goto(link)
    assert response.status == 410
    expect(invitee.get_by_role("heading", name="This invitation can no longer be used")).to_be_visible()

    # The chosen password works from now on.
    invitee.goto(acme_site.url("/"))
    sign_out(invitee)
    sign_in(invitee, acme_site, "nadia.coach@example.com", NEW_PASSWORD)

    # The admin sees the new coach on the roster, no longer as a pending invitation.
    page.reload()
    expect(page.get_by_role("row", name=re.compile("nadia.coach@example.com"))).to_contain_text("coach")
    expect(page.get_by_role("main")).not_to_contain_text("Invitations awaiting a reply")


def test_a_person_of_another_practice_joins_with_their_existing_password(
    page: Page, acme_site, globex_site, outbox, fresh_page
):
    person = globex_site.cast.coach
    open_invite_form(page, acme_site)
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Role").select_option(label="Coach")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {person.email}")

    invitee = fresh_page()
    invitee.goto(link_in(outbox[-1], "/invitations/"))
    expect(invitee.get_by_role("main")).to_contain_text("You already have a CoachHub account")
    expect(invitee.get_by_label("Your name")).to_have_count(0)
    invitee.get_by_label("Your CoachHub password").fill("not-my-password")
    invitee.get_by_role("button", name="Accept invitation").click()
    expect(invitee.get_by_role("main")).to_contain_text("That is not the password of this account.")

    invitee.get_by_label("Your CoachHub password").fill(PASSWORD)
    invitee.get_by_role("button", name="Accept invitation").click()
    expect(invitee).to_have_url(acme_site.url("/"))
    expect(invitee.get_by_role("banner")).to_contain_text("Acme Coaching")
    expect(invitee.get_by_role("main").get_by_role("heading", name="Coach", exact=True)).to_be_visible()

    # One account, two practices: the same password opens both.
    sign_out(invitee)
    sign_in(invitee, globex_site, person.email)
    expect(invitee.get_by_role("banner")).to_contain_text("Globex Leadership")


def test_a_forged_invitation_link_is_not_found(page: Page, acme_site):
    response = page.goto(acme_site.url("/invitations/not-a-real-token-0123456789/"))
    assert response.status == 404
    expect(page.get_by_role("button", name="Accept invitation")).to_have_count(0)


def test_a_malformed_email_is_refused_next_to_the_field(page: Page, acme_site, outbox):
    open_invite_form(page, acme_site)
    page.get_by_label("Email address").fill("nadia at example")
    page.get_by_label("Role").select_option(label="Coach")
    page.get_by_role("button", name="Send invitation").click()

    email_field = page.locator(".field").filter(has=page.get_by_label("Email address"))
    expect(email_field).to_contain_text("Enter a valid email address.")
    expect(page.get_by_label("Email address")).to_have_value("nadia at example")
    assert outbox == []
    page.get_by_role("link", name="← People").click()
    expect(page.get_by_role("main")).not_to_contain_text("Invitations awaiting a reply")
