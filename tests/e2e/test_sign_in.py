"""Signing in as real people do: each role's home page, a wrong password, an emailed code,
a deactivated person, and two-factor authentication with an authenticator app."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Membership, Role
from tests.conftest import PASSWORD
from tests.e2e.conftest import fill_login, sign_in, sign_out, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The heading of each role's section on the home page.
SECTIONS = {"admin": "Practice admin", "coach": "Coach", "coachee": "Your coaching", "sponsor": "Sponsor"}


def expect_sections(page: Page, shown: set[str]) -> None:
    main = page.get_by_role("main")
    for role, heading in SECTIONS.items():
        expect(main.get_by_role("heading", name=heading, exact=True)).to_have_count(1 if role in shown else 0)


def expect_admin_navigation(page: Page, shown: bool) -> None:
    nav = page.get_by_role("navigation", name="Main")
    for link in ("People", "Settings"):
        expect(nav.get_by_role("link", name=link, exact=True)).to_have_count(1 if shown else 0)


@pytest.mark.parametrize("role", ["admin", "coach", "coachee", "sponsor"])
def test_each_role_lands_on_its_home_page(page: Page, acme_site, role):
    person = getattr(acme_site.cast, role)
    page.goto(acme_site.url("/"))
    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in to Acme Coaching")).to_be_visible()

    sign_in(page, acme_site, person.email)

    expect(page.get_by_role("banner")).to_contain_text("Acme Coaching")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {person.get_short_name()}")
    expect_sections(page, {role})
    expect_admin_navigation(page, role == "admin")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")).to_have_attribute(
        "aria-current", "page"
    )

    sign_out(page)
    expect(page.get_by_role("main").get_by_role("link", name="Sign in")).to_be_visible()


def test_a_person_with_two_roles_sees_both_sections(page: Page, acme_site):
    coach = acme_site.cast.coach
    with practice_context(acme_site.cast.practice):
        Membership.objects.create(user=coach, role=Role.ADMIN)

    sign_in(page, acme_site, coach.email)

    expect(page.get_by_role("main")).to_contain_text("as practice admin and coach")
    expect_sections(page, {"admin", "coach"})
    expect_admin_navigation(page, True)


def test_a_wrong_password_shows_an_error(page: Page, acme_site, outbox):
    fill_login(page, acme_site, acme_site.cast.coach.email, "not-the-password")

    expect(page).to_have_url(acme_site.url("/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text("not correct")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    # What was typed stays, so the person only retypes the password.
    expect(page.get_by_label("Email")).to_have_value(acme_site.cast.coach.email)


def test_many_wrong_passwords_stop_sign_in_for_a_while(page: Page, acme_site):
    coach = acme_site.cast.coach
    for _ in range(5):
        fill_login(page, acme_site, coach.email, "not-the-password")
        expect(page.get_by_role("alert")).to_contain_text("not correct")

    fill_login(page, acme_site, coach.email)  # the right password, too late
    expect(page.get_by_role("alert")).to_contain_text("Too many failed login attempts")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    # Another person signing in from the same place is not affected.
    sign_in(page, acme_site, acme_site.cast.coach2.email)


def test_sign_in_by_emailed_code(page: Page, acme_site, outbox):
    coachee = acme_site.cast.coachee
    page.goto(acme_site.url("/accounts/login/"))
    page.get_by_role("link", name="Email me a sign-in code").click()
    page.get_by_label("Email").fill(coachee.email)
    page.get_by_role("button", name="Request Code").click()

    expect(page.get_by_role("heading", name="Enter Sign-In Code")).to_be_visible()
    assert [m.to for m in outbox] == [[coachee.email]]
    match = re.search(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]+)*)\s*$", outbox[0].body, re.MULTILINE)
    assert match, outbox[0].body
    page.get_by_label("Code").fill(match.group(1))
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(acme_site.url("/"))
    expect_sections(page, {"coachee"})


def test_a_deactivated_person_can_no_longer_sign_in(page: Page, acme_site, fresh_page):
    coach = acme_site.cast.coach
    # The coach has a session open elsewhere when the admin deactivates them.
    coach_page = fresh_page()
    sign_in(coach_page, acme_site, coach.email)

    sign_in(page, acme_site, acme_site.cast.admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("link", name=coach.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(coach.full_name)
    roles = page.get_by_role("group", name="Roles")
    expect(roles.get_by_label("Coach", exact=True)).to_be_checked()
    roles.get_by_label("Coach", exact=True).uncheck()
    page.get_by_role("button", name="Save roles").click()

    expect(page.get_by_role("status")).to_contain_text(f"Saved for {coach}: Coach role ended.")
    expect(page.get_by_role("main").get_by_role("listitem").filter(has_text="Coach: since")).to_contain_text("ended")
    page.get_by_role("link", name="← People").click()
    expect(page.get_by_role("row", name=re.compile(re.escape(coach.email)))).to_contain_text("Deactivated")

    # Their open session ends at the next click.
    coach_page.reload()
    expect(coach_page).to_have_url(re.compile(r"/accounts/login/"))
    expect(coach_page.get_by_role("status")).to_contain_text("no active access to Acme Coaching")

    # And signing in again is refused with a clear message.
    fill_login(coach_page, acme_site, coach.email)
    expect(coach_page.get_by_role("alert")).to_contain_text("Your access to Acme Coaching has been deactivated")
    expect(coach_page.get_by_role("button", name="Sign out")).to_have_count(0)


def activate_authenticator_app(page: Page, site, person) -> str:
    """From the home page, through the profile: turn on TOTP; returns the app's secret."""
    page.get_by_role("link", name=person.get_short_name(), exact=True).click()
    page.get_by_role("link", name="Two-factor authentication").click()
    expect(page).to_have_url(site.url("/accounts/2fa/"))
    page.get_by_role("main").get_by_role("link", name="Activate").click()
    # Adding a second factor asks for the password again, however recent the sign-in.
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(site.url("/accounts/2fa/totp/activate/"))
    secret = page.get_by_label("Authenticator secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]+=*", secret), secret
    submit_totp(page, secret, "Authenticator code", "Activate")
    # Recovery codes are made at the same time, and shown once.
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("10 out of 10 recovery codes")
    return secret


def test_coach_turns_on_an_authenticator_app_and_is_asked_for_a_code(page: Page, acme_site):
    coach = acme_site.cast.coach
    sign_in(page, acme_site, coach.email)
    secret = activate_authenticator_app(page, acme_site, coach)

    sign_out(page)
    fill_login(page, acme_site, coach.email)
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    # A wrong code is refused; Cancel goes back to the sign-in page, still signed out.
    wrong = f"{(int(totp_now(secret)) + 1) % 1_000_000:06d}"
    page.get_by_label("Code", exact=True).fill(wrong)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.locator(".field").filter(has=page.get_by_label("Code", exact=True))).to_contain_text("Incorrect code")
    page.get_by_role("button", name="Cancel").click()
    expect(page).to_have_url(acme_site.url("/accounts/login/"))
    page.goto(acme_site.url("/"))
    expect(page.get_by_role("main").get_by_role("link", name="Sign in")).to_be_visible()

    fill_login(page, acme_site, coach.email)
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    submit_totp(page, secret, "Code", "Sign In")
    expect(page).to_have_url(acme_site.url("/"))
    expect_sections(page, {"coach"})


def test_activating_an_authenticator_app_is_confirmed(page: Page, acme_site):
    sign_in(page, acme_site, acme_site.cast.coach.email)
    activate_authenticator_app(page, acme_site, acme_site.cast.coach)
    expect(page.get_by_role("status")).to_contain_text("Authenticator app activated", timeout=1_000)


def submit_totp(page: Page, secret: str, label: str, button: str) -> None:
    """Type the authenticator's current code and submit. A code computed in the last moment
    of its 30-second window may arrive too late: then the next window's code is typed."""
    field = page.get_by_label(label, exact=True)
    for attempt in range(2):
        field.fill(totp_now(secret))
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).click()
        if attempt or not page.locator(".field-error").count():
            return
