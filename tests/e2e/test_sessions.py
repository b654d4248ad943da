"""Coaching sessions in the browser (issue 5): the coach books against the contract and logs a
session with autosave; the coachee reads the shared summary, ticks an action and shares the
summary with the sponsor, who never sees the private notes; another coach gets 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from coachhub.tenancy.context import practice_context
from sessions.models import ActionItem, CoachingSession, LogDraft
from tests.conftest import publish_coach
from tests.e2e.conftest import sign_in
from tests.polling import wait_for
from tests.sessions.conftest import active_engagement, past_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOALS = "Prepare the board conversation about the merger."
PRIVATE = "Private note: seems anxious about the CFO; explore next time."
SUMMARY = "Summary: we rehearsed the opening and agreed two experiments."
ACTION = "Draft the board memo"
TOPICS = ["360 feedback", "Accountability"]


@pytest.fixture
def engagement(acme_cast):
    """coachee2 with the coach, contract accepted by all (sponsor included), the coach published."""
    with practice_context(acme_cast.practice):
        publish_coach(acme_cast.coach, horizon_days=365)
    return active_engagement(acme_cast)


def _sessions_url(site, engagement) -> str:
    return site.url(f"/engagements/{engagement.pk}/sessions/")


def _log_url(site, session) -> str:
    return site.url(f"/sessions/{session.pk}/log/")


def _coach_books_and_logs(page: Page, site, engagement, session: CoachingSession) -> None:
    cast = site.cast
    sign_in(page, site, cast.coach.email)

    # Booking: the page states the commitment as the contract does (the past session is session 1).
    page.goto(_sessions_url(site, engagement))
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"Session 2 of \d+, \d+ left, ends \d+ \w+ \d{4}"))
    page.get_by_role("link", name="Book a session").click()
    expect(page.get_by_role("heading", name=f"Book a session with {engagement.coachee}")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"Session 2 of \d+, \d+ left"))
    slots = page.locator("input[type=radio][name=start]")
    if slots.count() == 0:  # late in the week: the next week has the free times
        page.get_by_role("link", name="Later →").click()
    page.locator("input[type=radio][name=start]").last.check()
    page.get_by_role("button", name="Book the session").click()
    expect(page).to_have_url(_sessions_url(site, engagement))
    expect(page.get_by_role("status").first).to_contain_text("The session is booked.")
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"Session 3 of \d+, \d+ left"))
    with practice_context(cast.practice):
        booked = CoachingSession.objects.get(engagement=engagement, number=2)
        assert booked.booking.starts_at > timezone.now()

    # Logging the past session: typed, never clicked "save", it saves as you type.
    page.goto(_log_url(site, session))
    expect(page.get_by_role("heading", name=f"Session 1 with {engagement.coachee}")).to_be_visible()
    page.get_by_label("Sessional goals").fill(GOALS)
    for topic in TOPICS:
        page.get_by_label(topic, exact=True).check()
    page.get_by_label("Private notes").fill(PRIVATE)
    page.get_by_label("Shared summary").fill(SUMMARY)
    expect(page.locator("#save-status")).to_contain_text(re.compile(r"Saved at \d\d:\d\d"))
    # The last keystrokes' save lands after the debounce: wait until the server has it all.
    with practice_context(cast.practice):
        def stored() -> CoachingSession | None:
            current = CoachingSession.objects.get(pk=session.pk)
            done = current.summary == SUMMARY and current.goals == GOALS and set(current.worked_on) == set(TOPICS)
            return current if done else None

        if not wait_for(stored, timeout=10):
            current = CoachingSession.objects.get(pk=session.pk)
            pytest.fail(f"autosave never stored everything: {current.goals!r} {current.summary!r} {current.worked_on!r}")
        assert PRIVATE not in (stored().private_notes_ciphertext or "")  # encrypted at rest

    page.reload()
    expect(page.get_by_label("Sessional goals")).to_have_value(GOALS)
    for topic in TOPICS:
        expect(page.get_by_label(topic, exact=True)).to_be_checked()
    expect(page.get_by_label("Private notes")).to_have_value(PRIVATE)
    expect(page.get_by_label("Shared summary")).to_have_value(SUMMARY)
    expect(page.locator("#save-status")).to_contain_text(re.compile(r"Saved at \d\d:\d\d"))

    # An action with a due date.
    due = timezone.localdate() + timedelta(days=10)
    page.get_by_label("Action", exact=True).fill(ACTION)
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Add the action").click()
    expect(page).to_have_url(_log_url(site, session))
    actions = page.get_by_role("region", name="Actions")
    expect(actions.get_by_role("listitem").filter(has_text=ACTION)).to_contain_text(f"due {due.day} {due:%b %Y}")

    # Saved as logged, so the coachee reads it.
    page.get_by_role("button", name="Save the log").click()
    expect(page).to_have_url(_sessions_url(site, engagement))
    expect(page.get_by_role("status").first).to_contain_text("Session 1 is logged.")


def test_the_coach_books_and_logs_the_coachee_reads_and_shares_the_sponsor_sees_the_summary(
    page: Page, fresh_page, acme_site, engagement, outbox
):
    cast = acme_site.cast
    session = past_session(cast, engagement, days_ago=3, number=1)
    _coach_books_and_logs(page, acme_site, engagement, session)
    assert any(engagement.coachee.email in message.to for message in outbox), "no booking email to the coachee"
    assert all(PRIVATE not in message.body for message in outbox)

    # The coachee: the shared summary, never the private note; ticks the action, shares the summary.
    coachee_page = fresh_page()
    sign_in(coachee_page, acme_site, engagement.coachee.email)
    coachee_page.goto(_sessions_url(acme_site, engagement))
    main = coachee_page.get_by_role("main")
    expect(coachee_page.get_by_role("heading", name=f"Your coaching with {engagement.coach}")).to_be_visible()
    expect(main).to_contain_text(SUMMARY)
    expect(main).to_contain_text(GOALS)
    expect(main).not_to_contain_text(PRIVATE)
    mark_done = main.get_by_role("listitem").filter(has_text=ACTION).get_by_role("button", name=re.compile("^Mark done"))
    mark_done.click()
    expect(coachee_page).to_have_url(_sessions_url(acme_site, engagement))
    expect(mark_done).to_have_count(0)
    expect(main).to_contain_text(f"✓ {ACTION}")
    with practice_context(cast.practice):
        assert ActionItem.objects.get(text=ACTION).status == ActionItem.Status.DONE

    # The coachee cannot open the coach's log.
    assert coachee_page.goto(_log_url(acme_site, session)).status == 404
    expect(coachee_page.locator("body")).not_to_contain_text(PRIVATE)
    coachee_page.goto(_sessions_url(acme_site, engagement))

    sponsor_page = fresh_page()
    sign_in(sponsor_page, acme_site, cast.sponsor.email)
    sponsor_page.goto(_sessions_url(acme_site, engagement))
    expect(sponsor_page.get_by_role("heading", name=re.compile("Coaching sessions"))).to_be_visible()
    expect(sponsor_page.get_by_role("main")).not_to_contain_text(SUMMARY)  # not shared yet
    expect(sponsor_page.get_by_role("main")).not_to_contain_text(PRIVATE)

    coachee_page.get_by_role("button", name="Share this summary with the sponsor").click()
    expect(coachee_page.get_by_role("status").first).to_contain_text("Session 1's summary is now shared with your sponsor.")
    expect(coachee_page.get_by_role("button", name="Stop sharing this summary with the sponsor")).to_be_visible()

    sponsor_page.reload()
    sponsor_main = sponsor_page.get_by_role("main")
    expect(sponsor_main).to_contain_text(SUMMARY)
    expect(sponsor_main).not_to_contain_text(PRIVATE)
    expect(sponsor_main).not_to_contain_text(GOALS)
    expect(sponsor_main).not_to_contain_text(ACTION)
    # Nor through the log page.
    response = sponsor_page.goto(_log_url(acme_site, session))
    assert response.status == 404
    expect(sponsor_page.locator("body")).not_to_contain_text(PRIVATE)

    # Stop sharing: the sponsor loses the summary again.
    coachee_page.get_by_role("button", name="Stop sharing this summary with the sponsor").click()
    expect(coachee_page.get_by_role("status").first).to_contain_text("no longer shared with your sponsor")
    sponsor_page.goto(_sessions_url(acme_site, engagement))
    expect(sponsor_page.get_by_role("main")).not_to_contain_text(SUMMARY)


def test_another_coach_gets_404_on_the_log_page(page: Page, acme_site, engagement):
    cast = acme_site.cast
    session = past_session(cast, engagement, days_ago=2, number=1)
    with practice_context(cast.practice):
        CoachingSession.objects.filter(pk=session.pk).update(summary=SUMMARY)
    sign_in(page, acme_site, cast.coach2.email)
    response = page.goto(_log_url(acme_site, session))
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(SUMMARY)
    response = page.goto(_sessions_url(acme_site, engagement))
    assert response.status == 404


def _wait_for(predicate, what: str) -> None:
    if not wait_for(predicate, timeout=10):
        pytest.fail(f"never happened: {what}")


def test_typing_survives_an_expired_sign_in_and_a_closed_tab(page: Page, fresh_page, acme_site, engagement):
    cast = acme_site.cast
    session = past_session(cast, engagement, days_ago=1, number=1)
    sign_in(page, acme_site, cast.coach.email)
    page.goto(_log_url(acme_site, session))

    # The sign-in expires while the page is open: what is typed next is kept as a draft, and the page says so.
    page.context.clear_cookies(name="sessionid")
    page.get_by_label("Private notes").fill(PRIVATE)
    expect(page.locator("#save-status")).to_contain_text("You are signed out")
    with practice_context(cast.practice):
        _wait_for(lambda: LogDraft.objects.filter(session=session).exists(), "the signed-out draft kept")
        assert CoachingSession.objects.get(pk=session.pk).private_notes_ciphertext == ""

    # Signed in again, the page gives the text back, and the next save puts it in the log.
    sign_in(page, acme_site, cast.coach.email)
    page.goto(_log_url(acme_site, session))
    expect(page.get_by_role("alert")).to_contain_text("typed while signed out")
    expect(page.get_by_label("Private notes")).to_have_value(PRIVATE)
    page.get_by_label("Sessional goals").fill(GOALS)
    expect(page.locator("#save-status")).to_contain_text(re.compile(r"Saved at \d\d:\d\d"))
    with practice_context(cast.practice):
        _wait_for(lambda: not LogDraft.objects.filter(session=session).exists(), "the draft saved into the log")

    # Typed and the tab closed at once, inside the autosave's delay: it still reaches the server.
    page.get_by_label("Shared summary").fill(SUMMARY)
    page.close(run_before_unload=True)
    other = fresh_page()
    with practice_context(cast.practice):
        _wait_for(lambda: CoachingSession.objects.get(pk=session.pk).summary == SUMMARY, "the closing tab's text saved")


def test_the_coachee_books_their_own_session_where_the_practice_allows(page: Page, acme_site, engagement):
    cast = acme_site.cast
    cast.practice.coachees_book_sessions = True
    cast.practice.save(update_fields=["coachees_book_sessions"])
    sign_in(page, acme_site, engagement.coachee.email)
    page.goto(_sessions_url(acme_site, engagement))
    page.get_by_role("link", name="Book a session").click()
    expect(page.get_by_role("heading", name=f"Book a session with {engagement.coach}")).to_be_visible()
    expect(page.get_by_label("Book beyond the contract")).to_have_count(0)
    if page.locator("input[type=radio][name=start]").count() == 0:
        page.get_by_role("link", name="Later →").click()
    page.locator("input[type=radio][name=start]").first.check()
    page.get_by_role("button", name="Book the session").click()
    expect(page.get_by_role("status").first).to_contain_text("The session is booked.")
    with practice_context(cast.practice):
        assert CoachingSession.objects.filter(engagement=engagement, booking__coach=engagement.coach).count() == 1
