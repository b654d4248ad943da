"""The dispatcher: what is due is sent once, with the right headers and content; what no longer
applies, is stale, paused, unsubscribed or unaddressed is skipped with its reason."""

import email
import logging
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from reminders import services as reminders_services
from reminders.emails import read_unsubscribe_token
from reminders.models import Reminder
from coachhub.tenancy.context import practice_context
from coachhub.roster.models import Booking
from coachhub.tenancy.models import Membership
from tests.contracts.conftest import accept, sent
from tests.contracts.conftest import engagement as contracting_engagement  # noqa: F401
from tests.reminders.conftest import book_call, coach_profile, reminders, run_dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(acme):
    return book_call(acme, coach_profile(acme), days_ahead=3)


def at(call, kind):
    """The instant a reminder of `kind` about `call` falls due (plus a minute)."""
    offset = {"chemistry_call_24h": timedelta(hours=24), "chemistry_call_1h": timedelta(hours=1)}[kind]
    return call.booking.starts_at - offset + timedelta(minutes=1)


def test_a_due_reminder_is_sent_once_to_each_recipient(acme, call, mailoutbox):
    outcome = run_dispatch(acme, now=at(call, "chemistry_call_24h"))
    assert (outcome.claimed, outcome.sent) == (2, 2)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([acme.coach.email, "leader@example.com"])
    assert run_dispatch(acme, now=at(call, "chemistry_call_24h")).claimed == 0
    assert len(mailoutbox) == 2
    sent_rows = reminders(acme, state="sent")
    assert len(sent_rows) == 2 and all(r.sent_at and r.attempts == 1 for r in sent_rows)


def test_nothing_is_sent_before_it_is_due(acme, call, mailoutbox):
    assert run_dispatch(acme, now=at(call, "chemistry_call_24h") - timedelta(minutes=2)).claimed == 0
    assert mailoutbox == []


def test_the_email_names_the_time_in_the_readers_zone_links_to_the_page_and_gives_the_video_link(acme, call, mailoutbox):
    # The coach works in New York (their account follows their working zone: they chose none).
    acme.coach.time_zone = ""
    acme.coach.save()
    with practice_context(acme.practice):
        from coachhub.roster.models import CoachProfile
        from coachhub.roster.services import update_coach_profile

        update_coach_profile(profile=CoachProfile.objects.get(user=acme.coach), actor=acme.coach,
                             changes={"time_zone": "America/New_York", "headline": "Calm under pressure"})
    run_dispatch(acme, now=at(call, "chemistry_call_24h"))
    to_coach = next(m for m in mailoutbox if m.to == [acme.coach.email])
    local = call.booking.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert f"{local:%H:%M}" in to_coach.body and "(America/New_York)" in to_coach.body
    # The leader's call page is theirs alone (a 404 for the coach): the coach is sent to their home page.
    assert re.search(r"Your upcoming chemistry calls:\nhttp://acme.localhost(:\d+)?/\n", to_coach.body)
    assert f"/chemistry-calls/{call.pk}/" not in to_coach.body
    to_leader = next(m for m in mailoutbox if m.to == ["leader@example.com"])
    assert re.search(rf"http://acme.localhost(:\d+)?/chemistry-calls/{call.pk}/", to_leader.body)
    assert "https://video.example/room" in to_coach.body
    html = to_coach.alternatives[0][0]
    assert "Acme Coaching" in html and "#1f5f8b" in html and "(America/New_York)" in html
    assert to_coach.subject.startswith("Tomorrow: your chemistry call with Lee Leader")
    assert '"Acme Coaching via CoachHub"' in to_coach.from_email


def test_headers_one_click_unsubscribe_auto_submitted_and_a_message_id_from_the_key(acme, call, mailoutbox):
    run_dispatch(acme, now=at(call, "chemistry_call_24h"))
    message = email.message_from_bytes(mailoutbox[0].message().as_bytes())
    row = next(r for r in reminders(acme, state="sent") if r.recipient.email == mailoutbox[0].to[0])
    assert message["Message-ID"] == row.message_id
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = "".join(message["List-Unsubscribe"].split()).strip("<>")
    assert re.match(r"http://acme.localhost(:\d+)?/reminders/unsubscribe/", url)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert read_unsubscribe_token(token) == {"p": acme.practice.pk, "u": row.recipient_id, "k": "chemistry_call_24h"}


def test_a_1h_reminder_for_a_call_that_already_started_is_skipped_as_stale(acme, call, mailoutbox, caplog):
    caplog.set_level(logging.INFO, logger="reminders.dispatch")
    run_dispatch(acme, now=call.booking.starts_at + timedelta(minutes=5))
    stale = reminders(acme, kind="chemistry_call_1h")
    assert {r.state for r in stale} == {"skipped"} and all(r.reason.startswith("stale") for r in stale)
    assert not any("1h" in m.subject or "In an hour" in m.subject for m in mailoutbox)
    assert "skipped: stale" in caplog.text


def test_a_cancelled_booking_whose_reminder_is_due_is_skipped_saying_why(acme, call, mailoutbox):
    with practice_context(acme.practice):  # cancelled behind the services' back: the dispatcher still checks
        Booking.objects.filter(pk=call.booking_id).update(is_active=False)
        type(call).objects.filter(pk=call.pk).update(status="cancelled")
    run_dispatch(acme, now=at(call, "chemistry_call_24h"))
    assert mailoutbox == []
    assert {r.reason for r in reminders(acme, kind="chemistry_call_24h")} == {"the chemistry call is cancelled"}


def test_a_reminder_whose_subject_was_deleted_is_skipped(acme, mailoutbox):
    with practice_context(acme.practice):
        Reminder.objects.create(subject="call:999999", kind="chemistry_call_1h", recipient=acme.coach,
                                due_at=timezone.now(), next_attempt_at=timezone.now())
    run_dispatch(acme)
    assert mailoutbox == [] and reminders(acme)[0].reason == "call:999999 no longer exists"


def test_an_event_moved_into_the_past_skips_its_old_reminders(acme, call, mailoutbox):
    with practice_context(acme.practice):
        past = timezone.now() - timedelta(hours=3)
        Booking.objects.filter(pk=call.booking_id).update(starts_at=past, ends_at=past + timedelta(minutes=30))
    run_dispatch(acme, now=at(call, "chemistry_call_24h"))
    assert mailoutbox == []
    assert {r.state for r in reminders(acme, kind="chemistry_call_24h")} == {"skipped"}


def test_a_suspended_practice_sends_nothing_and_keeps_its_reminders_pending_saying_why(acme, call, mailoutbox, caplog):
    acme.practice.suspended_at = timezone.now()
    acme.practice.save()
    assert run_dispatch(acme, now=at(call, "chemistry_call_24h")).claimed == 0  # so no chained run either
    assert mailoutbox == [] and {r.state for r in reminders(acme)} == {"pending"}
    assert "practice acme is suspended: 2 due reminders stay pending" in caplog.text
    acme.practice.suspended_at = None
    acme.practice.save()
    assert run_dispatch(acme, now=at(call, "chemistry_call_24h")).sent == 2  # reactivated: sent, late


def test_an_unsubscribed_kind_is_skipped_and_others_still_go(acme, call, mailoutbox):
    with practice_context(acme.practice):
        reminders_services.unsubscribe(user=acme.coach, kind="chemistry_call_24h")
    run_dispatch(acme, now=at(call, "chemistry_call_24h"))
    assert [m.to for m in mailoutbox] == [["leader@example.com"]]
    coach_row = next(r for r in reminders(acme, kind="chemistry_call_24h") if r.recipient_id == acme.coach.pk)
    assert (coach_row.state, coach_row.reason) == ("skipped", "the recipient turned these reminders off")


def test_a_recipient_without_an_active_account_is_skipped(acme, call, mailoutbox):
    acme.coach.is_active = False
    acme.coach.save()
    run_dispatch(acme, now=at(call, "chemistry_call_24h"))
    assert [m.to for m in mailoutbox] == [["leader@example.com"]]
    assert "no active account" in next(r for r in reminders(acme, state="skipped")).reason


def test_a_recipient_whose_membership_ended_is_skipped(acme, call, mailoutbox):
    """A coach who left the practice hears nothing more of its leaders (the leader, with no
    membership yet, still gets theirs)."""
    with practice_context(acme.practice):
        Membership.objects.filter(user=acme.coach).update(is_active=False, deactivated_at=timezone.now())
    run_dispatch(acme, now=at(call, "chemistry_call_24h"))
    assert [m.to for m in mailoutbox] == [["leader@example.com"]]
    assert "access to this practice has ended" in next(r for r in reminders(acme, state="skipped")).reason


def test_a_paused_engagement_skips_its_reminders(acme, call, mailoutbox):
    with practice_context(acme.practice):
        reminders_services.set_engagement_paused(engagement=call.engagement, actor=acme.admin, paused=True)
    run_dispatch(acme, now=at(call, "chemistry_call_24h"))
    assert mailoutbox == []
    assert {r.reason for r in reminders(acme, state="skipped")} == {"reminders are paused for this engagement"}


def test_a_contract_is_reminded_after_two_days_then_weekly_until_answered(acme, contracting_engagement, mailoutbox):  # noqa: F811
    version = sent(acme, contracting_engagement)
    first = version.sent_at + timedelta(days=2)
    run_dispatch(acme, now=first + timedelta(minutes=1))
    assert len(mailoutbox) == 3
    assert "/contracts/" in mailoutbox[0].body
    following = {r.due_at for r in reminders(acme, state="pending")}
    assert following == {first + timedelta(days=7)}
    accept(acme, version, acme.sponsor)
    run_dispatch(acme, now=first + timedelta(days=7, minutes=1))
    assert sorted(m.to[0] for m in mailoutbox[3:]) == sorted([acme.coach.email, acme.coachee2.email])
    assert {r.due_at for r in reminders(acme, state="pending")} == {first + timedelta(days=14)}


def test_a_reminder_that_fell_due_while_nothing_ran_is_sent_late_rather_than_never(acme, contracting_engagement, mailoutbox):  # noqa: F811
    version = sent(acme, contracting_engagement)
    run_dispatch(acme, now=version.sent_at + timedelta(days=5))
    assert len(mailoutbox) == 3
    # The next one is a week after the first due instant that is still ahead, never a burst of catch-ups.
    assert {r.due_at for r in reminders(acme, state="pending")} == {version.sent_at + timedelta(days=9)}


def test_the_coach_is_asked_for_the_outcome_after_the_call(acme, call, mailoutbox):
    run_dispatch(acme, now=call.booking.ends_at + timedelta(minutes=1))
    outcome = [m for m in mailoutbox if "record the outcome" in m.subject.lower()]
    assert len(outcome) == 1 and outcome[0].to == [acme.coach.email]
    assert f"/chemistry-calls/{call.pk}/outcome/" in outcome[0].body


def _digest_reader(acme, zone: str = "America/New_York") -> None:
    acme.coach.time_zone = zone
    acme.coach.save()
    with practice_context(acme.practice):
        reminders_services.update_notification_settings(
            user=acme.coach, enabled_kinds=list(__import__("reminders.kinds", fromlist=["KINDS"]).KINDS),
            morning_digest=True,
        )


def test_a_morning_digest_reader_gets_one_email_at_seven_local_before_the_reminder_falls_due(
    acme, contracting_engagement, mailoutbox,  # noqa: F811
):
    from zoneinfo import ZoneInfo

    _digest_reader(acme)
    sent(acme, contracting_engagement)
    held = next(r for r in reminders(acme, state="pending", recipient=acme.coach))
    local = held.next_attempt_at.astimezone(ZoneInfo("America/New_York"))
    # The morning of the day it falls due (or the one before): a digest comes ahead, never after.
    assert held.for_digest and (local.hour, local.minute) == (7, 0)
    assert held.due_at - timedelta(days=1) < held.next_attempt_at <= held.due_at
    run_dispatch(acme, now=held.next_attempt_at - timedelta(minutes=1))
    assert acme.coach.email not in [m.to[0] for m in mailoutbox]
    run_dispatch(acme, now=held.next_attempt_at)
    digest = [m for m in mailoutbox if m.to == [acme.coach.email]]
    assert len(digest) == 1 and digest[0].subject == "Your reminders for today (1)"
    assert "coaching contract" in digest[0].body


def test_choosing_the_digest_holds_pending_reminders_for_it(acme, contracting_engagement, mailoutbox):  # noqa: F811
    sent(acme, contracting_engagement)
    assert not any(r.for_digest for r in reminders(acme, state="pending", recipient=acme.coach))
    _digest_reader(acme, "Europe/London")
    held = next(r for r in reminders(acme, state="pending", recipient=acme.coach))
    assert held.for_digest and held.next_attempt_at <= held.due_at


def test_a_day_before_reminder_in_the_digest_names_the_day_never_tomorrow(acme, call, mailoutbox):
    from reminders.kinds import KINDS

    with practice_context(acme.practice):
        reminders_services.update_notification_settings(user=acme.coach, enabled_kinds=list(KINDS), morning_digest=True)
    run_dispatch(acme, now=at(call, "chemistry_call_24h"))
    deferred = next(r for r in reminders(acme, state="pending", recipient=acme.coach) if r.for_digest)
    # The next 07:00 after "a day before" is on the call's own day: "Tomorrow" would be wrong there.
    run_dispatch(acme, now=deferred.next_attempt_at)
    digest = next(m for m in mailoutbox if m.to == [acme.coach.email])
    assert "Your chemistry call with Lee Leader," in digest.body
    assert "Tomorrow" not in digest.body and "In an hour" not in digest.body


def test_turning_the_digest_off_sends_what_it_held_at_its_own_time_not_tomorrow_morning(acme, call, mailoutbox):
    from reminders.kinds import KINDS

    with practice_context(acme.practice):
        reminders_services.update_notification_settings(user=acme.coach, enabled_kinds=list(KINDS), morning_digest=True)
    now = at(call, "chemistry_call_24h")
    held = next(r for r in reminders(acme, state="pending", recipient=acme.coach, kind="chemistry_call_24h"))
    assert held.for_digest and held.next_attempt_at <= now
    with practice_context(acme.practice):
        reminders_services.update_notification_settings(user=acme.coach, enabled_kinds=list(KINDS), morning_digest=False)
    assert not any(r.for_digest for r in reminders(acme, state="pending", recipient=acme.coach))
    run_dispatch(acme, now=now + timedelta(minutes=1))
    to_coach = [m for m in mailoutbox if m.to == [acme.coach.email]]
    assert len(to_coach) == 1 and to_coach[0].subject.startswith("Tomorrow: your chemistry call")


def test_a_mail_server_refusing_is_retried_later_with_the_reason(acme, call, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    due = at(call, "chemistry_call_24h")
    outcome = run_dispatch(acme, now=due)
    assert outcome.retrying == 2 and outcome.sent == 0
    rows = reminders(acme, kind="chemistry_call_24h")
    assert all(r.state == "pending" and r.attempts == 1 and r.next_attempt_at > due for r in rows)
    assert all("unavailable" in r.reason for r in rows) and "retry later" in caplog.text
    assert run_dispatch(acme, now=due + timedelta(minutes=1)).claimed == 0  # backing off, not looping


def test_the_beat_sweep_enqueues_only_active_practices_with_something_due(acme, globex, call, caplog):
    from reminders.tasks import enqueue_due_reminders
    from tests.reminders.helpers import due_actions

    due_actions(globex, 1)
    with practice_context(globex.practice):
        Reminder.objects.update(next_attempt_at=timezone.now())
    globex.practice.suspended_at = timezone.now()
    globex.practice.save()
    # acme's reminders are not due yet, globex is suspended: nothing to enqueue.
    assert enqueue_due_reminders.delay().get() == 0
    assert {r.state for r in reminders(globex)} == {"pending"}  # kept, not lost, until it is reactivated
    globex.practice.suspended_at = None
    globex.practice.save()
    assert enqueue_due_reminders.delay().get() == 1  # eager in tests: the dispatch ran too
    assert {r.state for r in reminders(globex)} == {"sent"}


def test_the_coachs_chemistry_call_reminder_links_to_a_page_the_coach_can_open(acme, call, mailoutbox):
    from tests.conftest import client_at

    run_dispatch(acme, now=at(call, "chemistry_call_24h"))
    to_coach = next(m for m in mailoutbox if m.to == [acme.coach.email])
    path = re.search(r"http://acme.localhost(?::\d+)?(/\S*)\n", to_coach.body.split("Your upcoming chemistry calls:")[1])
    page = client_at(acme, acme.coach).get(path.group(1))
    assert page.status_code == 200 and "Lee Leader" in page.content.decode()
    # "Complimentary" is the leader's word: the coach is not given the call.
    assert "your chemistry call with Lee Leader:" in to_coach.body
    to_leader = next(m for m in mailoutbox if m.to == ["leader@example.com"])
    assert "your complimentary chemistry call with" in to_leader.body


def test_the_contract_reminder_speaks_to_each_party_as_themselves(acme, contracting_engagement, mailoutbox):  # noqa: F811
    version = sent(acme, contracting_engagement)
    run_dispatch(acme, now=version.sent_at + timedelta(days=2, minutes=1))
    by_reader = {m.to[0]: m for m in mailoutbox}
    leader, coach, sponsor = (by_reader[user.email] for user in (acme.coachee2, acme.coach, acme.sponsor))
    assert leader.subject == "Your coaching contract is waiting for your answer"
    assert "of your coaching contract, sent by" in leader.body
    assert f"of the coaching contract for {acme.coachee2}, which you sent on" in coach.body
    assert f"of the coaching contract for {acme.coachee2}, sent by {acme.coach} on" in sponsor.body
    assert sponsor.subject == f"The coaching contract for {acme.coachee2} is waiting for your answer"
