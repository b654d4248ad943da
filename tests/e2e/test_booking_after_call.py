"""After the chemistry calls: the coach's answer, the leader's choice and the match; and a
practice admin reassigning a call to another coach."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from playwright.sync_api import Page, expect

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.timezones import describe
from engagements import services
from coachhub.roster.models import Booking
from engagements.models import ChemistryCall, Engagement
from tests.e2e.conftest import (
    bookable_later,
    free_times,
    ics_field,
    ics_of,
    messages_to,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = "Europe/London"


def past_call(coach, leader, hours_ago: int) -> ChemistryCall:
    """A call that has happened (made directly: the slot engine never offers the past)."""
    start = timezone.now().replace(microsecond=0) - timedelta(hours=hours_ago)
    engagement = Engagement.objects.filter(coachee=leader, stage="chemistry").first() or Engagement.objects.create(
        coachee=leader, objectives="Grow as a leader of leaders."
    )
    booking = Booking.objects.create(
        coach=coach, kind="chemistry_call", starts_at=start, ends_at=start + timedelta(minutes=30),
        blocked=DateTimeTZRange(start, start + timedelta(minutes=30), "[)"),
    )
    _, digest = ChemistryCall.new_manage_token()
    return ChemistryCall.objects.create(engagement=engagement, coach=coach, booking=booking, manage_token_digest=digest)


def test_the_coach_says_yes_the_leader_chooses_them_and_it_is_a_match(page: Page, fresh_page, acme_site, outbox):
    cast = acme_site.cast
    coach, other_coach, leader = cast.coach, cast.coach2, cast.coachee  # the leader has a password
    with practice_context(cast.practice):
        chosen_call = past_call(coach, leader, hours_ago=2)
        other_call = past_call(other_coach, leader, hours_ago=26)

    # The coach answers from their home page.
    sign_in(page, acme_site, coach.email)
    awaiting = page.get_by_role("main").get_by_role("list").filter(has_text=str(leader))
    awaiting.get_by_role("link", name=str(leader)).click()
    expect(page.get_by_role("heading", name=f"Your chemistry call with {leader}")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Grow as a leader of leaders.")
    page.get_by_label("Would like to work together").check()
    page.get_by_label("Notes on the approach you shared").fill("Agreed on fortnightly sessions, strengths-based.")
    page.get_by_role("button", name="Record my answer").click()
    expect(page).to_have_url(acme_site.url("/"))
    expect(page.get_by_role("status")).to_contain_text("Thank you: your answer is recorded.")
    expect(page.get_by_role("heading", name="Chemistry calls awaiting your answer")).to_have_count(0)

    # The leader signs in and chooses that coach.
    outbox.clear()
    leader_page = fresh_page()
    sign_in(leader_page, acme_site, leader.email)
    my_calls = leader_page.get_by_role("main")
    expect(my_calls).to_contain_text(f"with {coach}")
    expect(my_calls).to_contain_text(f"with {other_coach}")
    leader_page.get_by_role("link", name="Choose your coach").click()
    expect(leader_page.get_by_role("heading", name="Choose your coach")).to_be_visible()
    leader_page.get_by_label(str(coach), exact=True).check()
    leader_page.get_by_role("button", name="Record my choice").click()

    expect(leader_page).to_have_url(acme_site.url("/"))
    expect(leader_page.get_by_role("status")).to_contain_text(f"It's a match: you and {coach} will work together.")
    expect(leader_page.get_by_role("link", name="Choose your coach")).to_have_count(0)
    expect(leader_page.get_by_role("main").get_by_role("listitem").filter(has_text=str(other_coach))).to_contain_text("(closed)")

    with practice_context(cast.practice):
        engagement = Engagement.objects.get(pk=chosen_call.engagement_id)
        assert engagement.stage == Engagement.Stage.CONTRACTING and engagement.coach_id == coach.pk
        other_call.refresh_from_db()
        chosen_call.refresh_from_db()
        assert other_call.status == ChemistryCall.Status.CLOSED
        assert chosen_call.coach_outcome == "yes" and "fortnightly" in chosen_call.coach_notes

    [courteous] = messages_to(outbox, other_coach.email)
    assert courteous.subject == f"Thank you for meeting {leader}"
    assert "chosen to work with another coach" in courteous.body
    assert "We appreciate the care" in courteous.body
    assert messages_to(outbox, coach.email, f"{leader} has chosen to work with you")
    assert messages_to(outbox, leader.email, f"You and {coach} will work together")


def test_an_admin_reassigns_a_call_to_another_coach_at_a_free_time(page: Page, acme_site, acme_coaches, outbox):
    cast = acme_site.cast
    first_profile, second_profile = acme_coaches
    start = bookable_later(free_times(cast, first_profile, LONDON))[0]
    with practice_context(cast.practice):
        call, _ = services.book_chemistry_call(
            profile=first_profile, starts_at=start, name="Lena Leader", email="lena@example.com",
            objectives="Speak up in the board.", time_zone="Europe/Paris", base_url=acme_site.url("/"),
        )
    [first_invite] = messages_to(outbox, "lena@example.com", "Chemistry call booked")
    uid = ics_field(ics_of(first_invite), "UID")
    # Not the same hour: the new coach is free at another time.
    new_start = bookable_later(free_times(cast, second_profile, LONDON))[3]
    outbox.clear()

    sign_in(page, acme_site, cast.admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Chemistry calls").click()
    expect(page.get_by_role("heading", name="Chemistry calls", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Lena Leader")
    expect(row).to_contain_text(str(cast.coach))
    expect(row).to_contain_text("Booked")
    row.get_by_role("link", name="Reassign call of Lena Leader").click()

    expect(page.get_by_role("heading", name=f"Reassign Lena Leader's call with {cast.coach}")).to_be_visible()
    page.get_by_label("New coach").select_option(label=str(cast.coach2))
    page.get_by_role("button", name="Show their free times").click()
    local = new_start.astimezone(ZoneInfo(LONDON))
    day = page.locator(".slot-day").filter(
        has=page.get_by_role("heading", name=f"{local:%A} {local.day} {local:%B}", exact=True)
    )
    day.get_by_role("radio", name=f"{local:%H:%M} on {local:%A} {local.day} {local:%B}", exact=True).check()
    page.get_by_role("button", name=f"Reassign to {cast.coach2}").click()

    expect(page).to_have_url(acme_site.url("/practice/chemistry-calls/"))
    expect(page.get_by_role("status")).to_contain_text(f"The call is now with {cast.coach2}. Everyone has been told.")
    expect(row).to_contain_text(str(cast.coach2))
    expect(row).to_contain_text(f"{local:%a} {local.day} {local:%b %Y, %H:%M}")

    with practice_context(cast.practice):
        call.refresh_from_db()
        assert call.coach_id == cast.coach2.pk and call.booking.starts_at == new_start
        assert not Booking.objects.get(starts_at=start, coach=cast.coach).is_active

    [to_leader] = messages_to(outbox, "lena@example.com", "Chemistry call, new coach")
    assert describe(new_start, "Europe/Paris") in to_leader.body
    assert f"instead of {cast.coach}" in to_leader.body
    invite = ics_of(to_leader)
    assert ics_field(invite, "UID") == uid and ics_field(invite, "SEQUENCE") == "1"
    assert re.search(rf"ORGANIZER;CN=\"?{cast.coach2}\"?:mailto:{cast.coach2.email}", invite), invite
    assert messages_to(outbox, cast.coach2.email, "Chemistry call, new coach: Lena Leader")
    [released] = messages_to(outbox, cast.coach.email)
    assert released.subject == "Chemistry call with Lena Leader moved to another coach"
