"""The coach roster as people use it: a coach fills in their profile, sets availability (htmx),
publishes and subscribes to their calendar feed; the practice admin reads the roster and
unpublishes a coach."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from coachhub.tenancy.context import practice_context
from engagements.models import Engagement
from tests.e2e.conftest import fetch, ics_field, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = "Europe/London"


def next_weekday(weekday: int, at_least_days: int):
    """The first date with `weekday` (Monday 0) at least `at_least_days` from today in London."""
    day = timezone.now().astimezone(ZoneInfo(LONDON)).date() + timedelta(days=at_least_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def short_day(day) -> str:
    """A day as the slot preview writes it: "Tue 1 Dec"."""
    return f"{day:%a} {day.day} {day:%b}"


def test_a_coach_sets_up_publishes_and_subscribes_and_the_admin_unpublishes(
    page: Page, fresh_page, acme_site, outbox
):
    cast = acme_site.cast
    coach = cast.coach
    tuesday = next_weekday(1, at_least_days=2)  # wholly beyond the default 24 hours' notice

    # The profile.
    sign_in(page, acme_site, coach.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", name="Your coach profile")).to_be_visible()
    publishing = page.get_by_role("complementary")
    expect(publishing).to_contain_text("Not published")
    page.get_by_label("Headline").fill("Helping new leaders find their voice")
    page.get_by_label("Specialisms").fill("Team dynamics, Executive presence, team dynamics")
    page.get_by_label("Languages").fill("English,  Spanish")
    page.get_by_label("Video-call link").fill("https://meet.example/coach-acme")
    page.get_by_label("Coachees you can take on at once").fill("3")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    expect(page.get_by_label("Specialisms")).to_have_value("Team dynamics, Executive presence")
    expect(page.get_by_label("Languages")).to_have_value("English, Spanish")

    # Publishing before there are hours says what is missing.
    page.get_by_role("button", name="Publish my profile").click()
    expect(page.get_by_role("status")).to_contain_text("at least one window of weekly hours")
    expect(publishing).to_contain_text("Not published")

    # Availability: a weekly window and a date off, each without a page load (htmx).
    page.get_by_role("link", name="Availability and calendar feed").click()
    availability_url = acme_site.url("/roster/me/availability/")
    expect(page).to_have_url(availability_url)
    preview = page.get_by_role("region", name="Your next free times")
    expect(preview).to_contain_text("No free times in the next four weeks")

    hours = page.get_by_role("region", name="Weekly hours")
    # A refused window answers 422, which htmx swaps in as it does a 200: the message by the field.
    hours.get_by_label("From").fill("12:00")
    hours.get_by_label("Until").fill("10:00")
    with page.expect_response(re.compile(r"/roster/me/availability/hours/$")) as refused:
        hours.get_by_role("button", name="Add hours").click()
    assert refused.value.status == 422
    expect(hours).to_contain_text("The window must end after it starts.")
    expect(page).to_have_url(availability_url)
    hours.get_by_label("Day").select_option(label="Tuesday")
    hours.get_by_label("From").fill("10:00")
    hours.get_by_label("Until").fill("12:00")
    hours.get_by_role("button", name="Add hours").click()
    expect(hours.get_by_role("status")).to_have_text("Added Tuesday 10:00–12:00.")
    expect(hours.get_by_role("listitem").filter(has_text="Tuesday")).to_contain_text("10:00–12:00")
    expect(page).to_have_url(availability_url)  # no redirect: htmx swapped the section
    expect(preview).to_contain_text(f"{short_day(tuesday)}, 10:00")  # refreshed out of band

    days_off = page.get_by_role("region", name="Dates off")
    days_off.get_by_label("First day off").fill(tuesday.isoformat())
    days_off.get_by_label("Last day off").fill(tuesday.isoformat())
    days_off.get_by_label("Note").fill("Conference")
    days_off.get_by_role("button", name="Add dates off").click()
    expect(days_off.get_by_role("status")).to_have_text(f"Added dates off: {tuesday.day} {tuesday:%b %Y}.")
    expect(days_off).to_contain_text(f"{tuesday:%a} {tuesday.day} {tuesday:%b %Y} · Conference")
    expect(preview).not_to_contain_text(short_day(tuesday))
    expect(preview).to_contain_text(f"{short_day(tuesday + timedelta(days=7))}, 10:00")
    expect(page).to_have_url(availability_url)

    # Publish: the directory shows the coach.
    page.get_by_role("link", name="Your coach profile").click()
    page.get_by_role("button", name="Publish my profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is published")
    expect(publishing).to_contain_text("Published")

    visitor = fresh_page()
    visitor.goto(acme_site.url("/coaches/"))
    visitor.get_by_label("Specialism").select_option("Team dynamics")
    visitor.get_by_role("button", name="Show coaches").click()
    card = visitor.get_by_role("article").filter(has=visitor.get_by_role("heading", name=str(coach)))
    expect(card).to_contain_text("Helping new leaders find their voice")
    expect(card).to_contain_text("Speaks English, Spanish")

    # A leader books through the public API (as a practice's own website would) ...
    [listed] = [c for c in fetch(visitor, acme_site.url("/api/v1/coaches")).json() if c["name"] == str(coach)]
    week = f"start={tuesday + timedelta(days=7)}&end={tuesday + timedelta(days=7)}&tz={LONDON}"
    slots = fetch(visitor, acme_site.url(f"/api/v1/coaches/{listed['id']}/slots?{week}")).json()["slots"]
    call_start = datetime.combine(tuesday + timedelta(days=7), time(10), tzinfo=ZoneInfo(LONDON))
    assert slots[0] == call_start.isoformat(), slots
    booked = fetch(visitor, acme_site.url("/api/v1/chemistry-calls"), "POST", data={
        "coach": listed["id"], "start": slots[0], "name": "Feed Leader", "email": "feed.leader@example.com",
        "objectives": "Delegate more.", "tz": LONDON,
    })
    assert booked.status == 201, booked.text()

    # ... and the coach's calendar feed has it.
    page.get_by_role("link", name="Availability and calendar feed").click()
    feed_url = page.get_by_label("Your private calendar link").input_value()
    assert feed_url.startswith(acme_site.url("/roster/calendar/")) and feed_url.endswith(".ics")
    expect(page.get_by_role("link", name="Subscribe in your calendar app")).to_have_attribute(
        "href", "webcal://" + feed_url.split("://", 1)[1]
    )
    feed = fetch(page, feed_url)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    body = feed.text().replace("\r\n ", "")
    assert ics_field(body, "SUMMARY") == "Chemistry call with Feed Leader"
    assert ics_field(body, "DTSTART") == call_start.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    assert ics_field(body, "LOCATION") == "https://meet.example/coach-acme"
    assert "Delegate more" not in body  # the objectives stay out of a shareable feed
    assert fetch(page, feed_url.replace(".ics", "x.ics")).status == 404

    # The admin: the roster with load against capacity, and unpublishing.
    with practice_context(cast.practice):
        Engagement.objects.create(coachee=cast.coachee2, coach=coach, stage="contracting", objectives="Lead.")
    admin = fresh_page()
    sign_in(admin, acme_site, cast.admin.email)
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Coaches").click()
    expect(admin.get_by_role("heading", name="Coaches", level=1)).to_be_visible()
    row = admin.get_by_role("row").filter(has_text=coach.email)
    expect(row).to_contain_text("Published")
    expect(row.get_by_role("cell").nth(2)).to_have_text("1 / 3")
    expect(row).to_contain_text(LONDON)
    expect(admin.get_by_role("row").filter(has_text=cast.coach2.email)).to_contain_text("No profile yet")

    row.get_by_role("button", name=f"Unpublish {coach}").click()
    expect(admin.get_by_role("status")).to_contain_text(f"{coach} is unpublished. Calls already booked stay booked.")
    expect(row).to_contain_text("Unpublished")
    expect(row.get_by_role("button", name=f"Unpublish {coach}")).to_have_count(0)

    visitor.goto(acme_site.url("/coaches/"))
    expect(visitor.get_by_role("heading", name=str(coach))).to_have_count(0)
    assert fetch(visitor, acme_site.url(f"/coaches/{listed['id']}/")).status == 404
    # The booking stays in the coach's calendar.
    assert "Chemistry call with Feed Leader" in fetch(page, feed_url).text()
    assert re.search(r"Chemistry call booked", " ".join(m.subject for m in outbox))
