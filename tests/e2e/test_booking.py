"""A leader books a chemistry call as real visitors do: the directory, a coach's profile, free
times in the browser's own zone, the confirmation and its emails, then moving and cancelling
the call by the emailed link. Also without JavaScript, with bad input, and in a race."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.timezones import describe
from engagements.models import ChemistryCall
from tests.e2e.conftest import (
    bookable_later,
    fetch,
    free_times,
    ics_field,
    ics_of,
    link_in,
    messages_to,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YORK = "America/New_York"
LONDON = "Europe/London"
SHOTS = Path("/tmp/e2e-booking")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def script_day(moment) -> str:
    """A day heading as booking.js writes it in an en-US browser ("Tuesday, December 1")."""
    return f"{moment:%A}, {moment:%B} {moment.day}"


def server_day(moment) -> str:
    """A day heading as the server renders it ("Tuesday 1 December")."""
    return f"{moment:%A} {moment.day} {moment:%B}"


def slot_radio(page: Page, moment, day_heading: str):
    """The radio button for `moment` (already in the zone shown) under its day's heading."""
    day = page.locator(".slot-day").filter(has=page.get_by_role("heading", name=day_heading, exact=True))
    # Each time's accessible name also says its day ("04:00 on Thursday, November 26").
    return day.get_by_role("radio", name=f"{moment:%H:%M} on {day_heading}", exact=True)


def radio_for(page: Page, moment):
    """The radio button that books `moment`, whatever its label says."""
    return page.locator(f'input[type=radio][name=start][value="{moment.isoformat()}"]')


def picker(page: Page):
    return page.get_by_role("group", name=re.compile("Choose a time"))


def fill_details(page: Page, name: str, email: str, objectives: str = "Lead my newly merged team with confidence.") -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your email address").fill(email)
    page.get_by_label("What would you like to work on?").fill(objectives)


def field(page: Page, label: str):
    """The form field block (label, input, help, errors) of the input labelled `label`."""
    return page.locator(".field").filter(has=page.get_by_label(label, exact=True))


def calls_of(cast, email: str) -> list[ChemistryCall]:
    with practice_context(cast.practice):
        return list(ChemistryCall.objects.filter(engagement__coachee__email=email).select_related("booking"))


# --- 1. The whole journey, with JavaScript ------------------------------------------------------


def test_a_leader_books_moves_and_cancels_a_call_in_their_own_time_zone(
    page: Page, page_with, acme_site, acme_coaches, outbox
):
    cast = acme_site.cast
    coach_profile, _ = acme_coaches
    coach = cast.coach
    leader_email = "grace.hopper@example.com"
    # The picker's week starts on the practice's today (the server renders it so), in any zone.
    first_day = timezone.now().astimezone(ZoneInfo(LONDON)).date()
    times = bookable_later(free_times(cast, coach_profile, NEW_YORK, first_day=first_day))
    # The manage page (drawn by the server) shows the week from the leader's own today, which in
    # New York is a day behind London for five hours each night: move to a time inside that week.
    leader_today = timezone.now().astimezone(ZoneInfo(NEW_YORK)).date()
    chosen = times[0]
    moved_to = [t for t in times if t.date() <= leader_today + timedelta(days=6)][-1]

    leader = page_with(timezone_id=NEW_YORK, locale="en-US", viewport=DESKTOP)

    # The directory, filtered by a specialism.
    leader.goto(acme_site.url("/coaches/"))
    expect(leader.get_by_role("heading", name="Our coaches", level=1)).to_be_visible()
    expect(leader.get_by_role("article")).to_have_count(2)
    leader.get_by_label("Specialism").select_option("Executive presence")
    leader.get_by_role("button", name="Show coaches").click()
    expect(leader).to_have_url(re.compile(r"specialism=Executive\+presence"))
    expect(leader.get_by_role("article")).to_have_count(1)
    expect(leader.get_by_role("heading", name=str(coach))).to_be_visible()
    expect(leader.get_by_role("heading", name=str(cast.coach2))).to_have_count(0)

    # The profile: free times in the browser's zone, chosen by the page's script.
    leader.get_by_role("link", name=f"Profile and free times for {coach}").click()
    expect(leader.get_by_role("heading", name=str(coach), level=1)).to_be_visible()
    expect(leader.get_by_role("main")).to_contain_text("Direct, warm and practical.")
    expect(picker(leader)).to_contain_text(f"times in {NEW_YORK}")
    expect(leader.get_by_label("Show times in")).to_have_value(NEW_YORK)
    radio = slot_radio(leader, chosen, script_day(chosen))
    expect(radio).to_have_value(chosen.isoformat())  # the label is the New York hour of that moment
    radio.check()
    fill_details(leader, "Grace Hopper", leader_email)
    leader.get_by_label("What do you hope to achieve?").fill("A plan for my first 100 days.")
    shot(leader, "booking-page-desktop")
    leader.set_viewport_size(PHONE)
    shot(leader, "booking-page-phone-390")
    leader.set_viewport_size(DESKTOP)

    leader.get_by_role("button", name="Book the chemistry call").click()
    confirmation = leader.get_by_role("status")
    expect(confirmation).to_contain_text("Your chemistry call is booked")
    # In words, in the leader's zone, as an en-US browser writes it.
    expect(confirmation).to_contain_text(f"With {cast.coach} on {chosen:%A, %B} {chosen.day}, {chosen.year} at")
    expect(confirmation).to_contain_text(f"{chosen:%I:%M %p} ({NEW_YORK})")
    expect(confirmation).to_contain_text(leader_email)
    shot(leader, "booking-confirmation")

    # Both got an email with the invitation, each in their own zone.
    [leader_mail] = messages_to(outbox, leader_email, "Chemistry call booked")
    [coach_mail] = messages_to(outbox, coach.email, "Chemistry call booked")
    assert describe(chosen, NEW_YORK) in leader_mail.body, leader_mail.body
    assert describe(chosen, LONDON) in coach_mail.body, coach_mail.body
    assert "Lead my newly merged team" in coach_mail.body  # the coach reads the objectives
    assert "https://video.example/room" in leader_mail.body
    invite = ics_of(leader_mail)
    assert ics_field(invite, "METHOD") == "REQUEST"
    assert ics_field(invite, "SEQUENCE") == "0"
    assert ics_field(invite, "DTSTART") == chosen.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    assert ics_field(invite, "LOCATION") == "https://video.example/room"
    uid = ics_field(invite, "UID")
    assert ics_field(ics_of(coach_mail), "UID") == uid
    [call] = calls_of(cast, leader_email)
    assert call.booking.starts_at == chosen

    # The coach sees it on their home page, in their zone.
    sign_in(page, acme_site, coach.email)
    upcoming = page.get_by_role("main").get_by_role("listitem").filter(has_text="Grace Hopper")
    at_coach = chosen.astimezone(ZoneInfo(LONDON))
    expect(upcoming).to_contain_text(f"{at_coach:%a} {at_coach.day} {at_coach:%b}, {at_coach:%H:%M}")
    expect(upcoming).to_contain_text("Lead my newly merged team")
    shot(page, "coach-home")

    # The leader moves it by the emailed link.
    manage_link = link_in(leader_mail, "/chemistry-calls/manage/")
    outbox.clear()
    leader.goto(manage_link)
    expect(leader.get_by_role("heading", name=f"Your chemistry call with {coach}")).to_be_visible()
    expect(picker(leader)).to_contain_text(f"times in {NEW_YORK}")
    # The page opens in the leader's own zone (as their emails), drawn by the server.
    slot_radio(leader, moved_to, server_day(moved_to)).check()
    leader.get_by_role("button", name="Move the call").click()
    expect(leader.get_by_role("heading", name="Your chemistry call has moved")).to_be_visible()
    expect(leader.get_by_role("status")).to_contain_text("A new invitation is on its way.")

    [moved_mail] = messages_to(outbox, leader_email, "Chemistry call moved")
    assert describe(moved_to, NEW_YORK) in moved_mail.body
    assert describe(chosen, NEW_YORK) in moved_mail.body  # "it was ..."
    moved_invite = ics_of(moved_mail)
    assert ics_field(moved_invite, "UID") == uid
    assert ics_field(moved_invite, "SEQUENCE") == "1"
    assert ics_field(moved_invite, "DTSTART") == moved_to.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    assert messages_to(outbox, coach.email, "Chemistry call moved")
    assert leader.goto(manage_link).status == 404  # the old link has been replaced

    # ... and cancels it by the new link.
    outbox.clear()
    leader.goto(link_in(moved_mail, "/chemistry-calls/manage/"))
    leader.once("dialog", lambda dialog: dialog.accept())  # "Cancel your chemistry call with …?"
    leader.get_by_role("button", name="Cancel the chemistry call").click()
    expect(leader.get_by_role("status")).to_contain_text("Your chemistry call is cancelled.")
    expect(leader.get_by_role("main")).to_contain_text("This call is cancelled.")
    expect(leader.get_by_role("button", name="Move the call")).to_have_count(0)
    [cancel_mail] = messages_to(outbox, leader_email, "Chemistry call cancelled")
    cancel_invite = ics_of(cancel_mail)
    assert ics_field(cancel_invite, "METHOD") == "CANCEL"
    assert ics_field(cancel_invite, "UID") == uid
    assert int(ics_field(cancel_invite, "SEQUENCE")) > 1
    assert messages_to(outbox, coach.email, "Chemistry call cancelled")

    # Both times are free again.
    leader.goto(acme_site.url(f"/coaches/{coach_profile.pk}/"))
    expect(slot_radio(leader, moved_to, script_day(moved_to))).to_be_visible()
    expect(slot_radio(leader, chosen, script_day(chosen))).to_be_visible()
    page.reload()
    expect(page.get_by_role("main")).not_to_contain_text("Grace Hopper")


# --- 2. Without JavaScript ----------------------------------------------------------------------


def test_without_javascript_the_plain_form_books_the_call(page_with, acme_site, acme_coaches, outbox):
    cast = acme_site.cast
    coach_profile, _ = acme_coaches
    visitor = page_with(java_script_enabled=False, locale="en-GB")
    visitor.goto(acme_site.url(f"/coaches/{coach_profile.pk}/"))
    # The server's times, in the practice's zone until the visitor chooses theirs.
    expect(picker(visitor)).to_contain_text(f"times in {LONDON}")
    london_times = bookable_later(free_times(cast, coach_profile, LONDON))
    expect(slot_radio(visitor, london_times[0], server_day(london_times[0]))).to_be_visible()

    visitor.get_by_label("Show times in").select_option(NEW_YORK)
    visitor.get_by_role("button", name="Show times").click()
    expect(picker(visitor)).to_contain_text(f"times in {NEW_YORK}")
    chosen = bookable_later(free_times(cast, coach_profile, NEW_YORK))[0]
    # By the moment it stands for: its label is wrong without JavaScript (see the next test).
    radio_for(visitor, chosen).check()
    fill_details(visitor, "Ada Lovelace", "ada@example.com")
    visitor.get_by_role("button", name="Book the chemistry call").click()

    expect(visitor).to_have_url(acme_site.url("/chemistry-calls/booked/"))
    expect(visitor.get_by_role("heading", name="Your chemistry call is booked")).to_be_visible()
    lead = visitor.get_by_role("main").locator(".lead")
    expect(lead).to_contain_text(str(cast.coach))
    expect(lead).to_contain_text(f"{chosen:%A} {chosen.day} {chosen:%B %Y, %H:%M} ({NEW_YORK})")
    expect(visitor.get_by_role("main")).to_contain_text("ada@example.com")

    [call] = calls_of(cast, "ada@example.com")
    assert call.booking.starts_at == chosen
    assert len(messages_to(outbox, "ada@example.com", "Chemistry call booked")) == 1
    assert len(messages_to(outbox, cast.coach.email, "Chemistry call booked")) == 1


def test_without_javascript_times_are_labelled_in_the_chosen_zone(page_with, acme_site, acme_coaches):
    cast = acme_site.cast
    coach_profile, _ = acme_coaches
    visitor = page_with(java_script_enabled=False, locale="en-GB")
    visitor.goto(acme_site.url(f"/coaches/{coach_profile.pk}/"))
    visitor.get_by_label("Show times in").select_option(NEW_YORK)
    visitor.get_by_role("button", name="Show times").click()
    chosen = bookable_later(free_times(cast, coach_profile, NEW_YORK))[0]
    expect(radio_for(visitor, chosen)).to_be_visible()
    expect(slot_radio(visitor, chosen, server_day(chosen))).to_have_value(chosen.isoformat(), timeout=2_000)


def test_a_later_week_is_labelled_in_the_browsers_zone(page_with, acme_site, acme_coaches):
    cast = acme_site.cast
    coach_profile, _ = acme_coaches
    leader = page_with(timezone_id=NEW_YORK, locale="en-US")
    leader.goto(acme_site.url(f"/coaches/{coach_profile.pk}/"))
    expect(picker(leader)).to_contain_text(f"times in {NEW_YORK}")
    leader.get_by_role("link", name="Later →").click()
    expect(leader).to_have_url(re.compile(r"week=(\d{4}-\d\d-\d\d)"))
    week = re.search(r"week=(\d{4}-\d\d-\d\d)", leader.url).group(1)
    later = free_times(cast, coach_profile, NEW_YORK, first_day=date.fromisoformat(week))[0]
    expect(radio_for(leader, later)).to_be_visible()
    expect(picker(leader)).to_contain_text(f"times in {NEW_YORK}")
    expect(leader.get_by_role("radio").first).to_have_accessible_name(
        re.compile(rf"^\s*{later:%H:%M} on "), timeout=2_000
    )


# --- 3. Bad input and a race ---------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "plain-form"])
def test_missing_time_and_bad_email_are_shown_next_to_the_fields(page_with, acme_site, acme_coaches, outbox, javascript):
    cast = acme_site.cast
    coach_profile, _ = acme_coaches
    visitor = page_with(java_script_enabled=javascript, locale="en-GB", timezone_id=LONDON)
    visitor.goto(acme_site.url(f"/coaches/{coach_profile.pk}/"))
    fill_details(visitor, "Ada Lovelace", "ada at example")
    visitor.get_by_role("button", name="Book the chemistry call").click()

    expect(field(visitor, "Your email address")).to_contain_text("Enter a valid email address.")
    expect(visitor.get_by_text(re.compile(r"^Choose a time(\.| for the call\.)$"))).to_be_visible()
    # What was typed stays.
    expect(visitor.get_by_label("Your email address")).to_have_value("ada at example")
    expect(visitor.get_by_label("What would you like to work on?")).to_have_value("Lead my newly merged team with confidence.")
    expect(visitor.get_by_role("heading", name="Your chemistry call is booked")).to_have_count(0)
    assert calls_of(cast, "ada at example") == [] and outbox == []

    # Corrected, it goes through.
    chosen = bookable_later(free_times(cast, coach_profile, LONDON))[0]
    slot_radio(visitor, chosen, server_day(chosen)).check()
    visitor.get_by_label("Your email address").fill("ada@example.com")
    visitor.get_by_role("button", name="Book the chemistry call").click()
    expect(visitor.get_by_text("Your chemistry call is booked")).to_be_visible()
    assert len(calls_of(cast, "ada@example.com")) == 1


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "plain-form"])
def test_a_time_taken_meanwhile_is_refused_clearly_with_fresh_times(page_with, acme_site, acme_coaches, outbox, javascript):
    cast = acme_site.cast
    coach_profile, _ = acme_coaches
    times = bookable_later(free_times(cast, coach_profile, LONDON))
    contested, other = times[0], times[1]
    visitor = page_with(java_script_enabled=javascript, locale="en-GB", timezone_id=LONDON)
    visitor.goto(acme_site.url(f"/coaches/{coach_profile.pk}/"))
    slot_radio(visitor, contested, server_day(contested)).check()
    fill_details(visitor, "Ada Lovelace", "ada@example.com")

    # Another leader, elsewhere, books that time first.
    rival = page_with()
    response = fetch(rival, acme_site.url("/api/v1/chemistry-calls"), "POST", data={
        "coach": coach_profile.pk, "start": contested.isoformat(), "name": "Rival Leader",
        "email": "rival@example.com", "objectives": "Be quicker.", "tz": LONDON,
    })
    assert response.status == 201, response.text()

    visitor.get_by_role("button", name="Book the chemistry call").click()
    expect(visitor.get_by_text(re.compile(r"just been taken|no longer free"))).to_be_visible()
    # Fresh times: the contested one is gone, the others are still offered.
    expect(slot_radio(visitor, contested, server_day(contested))).to_have_count(0)
    expect(slot_radio(visitor, other, server_day(other))).to_be_visible()
    expect(visitor.get_by_label("Your email address")).to_have_value("ada@example.com")
    assert calls_of(cast, "ada@example.com") == []
    assert messages_to(outbox, "ada@example.com") == []

    slot_radio(visitor, other, server_day(other)).check()
    visitor.get_by_role("button", name="Book the chemistry call").click()
    expect(visitor.get_by_text("Your chemistry call is booked")).to_be_visible()
    [call] = calls_of(cast, "ada@example.com")
    assert call.booking.starts_at == other
