"""Booking arms a thing's reminders, rescheduling re-arms them, and what is done disarms them."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from reminders import services as reminders_services
from coachhub.tenancy.context import practice_context
from engagements import services as engagement_services
from sessions.services.actions import add_action, set_action_done
from sessions.services.booking import cancel_session, reschedule_session
from sessions.models import ActionItem
from tests.contracts.conftest import accept, sent
from tests.contracts.conftest import engagement as contracting_engagement  # noqa: F401
from tests.reminders.conftest import BASE_URL, book_call, coach_profile, pending, reminders
from tests.sessions.conftest import book, log, past_session
from tests.sessions.conftest import engagement as active_engagement  # noqa: F401

pytestmark = pytest.mark.django_db


def test_booking_a_chemistry_call_arms_24h_and_1h_for_both_and_the_outcome_for_the_coach(acme):
    call = book_call(acme, coach_profile(acme))
    start, end, leader = call.booking.starts_at, call.booking.ends_at, call.engagement.coachee_id
    assert sorted(pending(acme)) == sorted([
        ("chemistry_call_24h", acme.coach.pk, start - timedelta(hours=24)),
        ("chemistry_call_24h", leader, start - timedelta(hours=24)),
        ("chemistry_call_1h", acme.coach.pk, start - timedelta(hours=1)),
        ("chemistry_call_1h", leader, start - timedelta(hours=1)),
        ("chemistry_outcome", acme.coach.pk, end),
    ])
    assert {r.subject for r in reminders(acme)} == {f"call:{call.pk}"}
    assert {r.engagement_id for r in reminders(acme)} == {call.engagement_id}


def test_arming_twice_creates_nothing_new(acme):
    call = book_call(acme, coach_profile(acme))
    with practice_context(acme.practice):
        assert reminders_services.arm_chemistry_call(call=call) == 0
    assert len(reminders(acme)) == 5


def test_rescheduling_cancels_the_old_reminders_and_arms_the_new_time(acme):
    profile = coach_profile(acme)
    call = book_call(acme, profile, days_ahead=3)
    old_start = call.booking.starts_at
    new_start = old_start + timedelta(days=2)
    with practice_context(acme.practice):
        engagement_services.reschedule_chemistry_call(call=call, starts_at=new_start, actor=None, base_url=BASE_URL)
    assert {due for _, _, due in pending(acme, kind="chemistry_call_1h")} == {new_start - timedelta(hours=1)}
    cancelled = reminders(acme, state="cancelled")
    assert len(cancelled) == 5 and all(r.due_at < new_start - timedelta(hours=2) for r in cancelled)
    assert all(r.reason for r in cancelled)


def test_cancelling_a_call_disarms_all_its_reminders(acme):
    call = book_call(acme, coach_profile(acme))
    with practice_context(acme.practice):
        engagement_services.cancel_chemistry_call(call=call, actor=None, base_url=BASE_URL)
    assert pending(acme) == []
    assert {r.reason for r in reminders(acme)} == {"the chemistry call was cancelled"}


def test_sending_a_contract_arms_each_party_two_days_later(acme, contracting_engagement):  # noqa: F811
    version = sent(acme, contracting_engagement)
    due = version.sent_at + timedelta(days=2)
    assert sorted(pending(acme)) == sorted(
        ("contract_acceptance", user.pk, due) for user in (acme.coachee2, acme.coach, acme.sponsor)
    )


def test_accepting_disarms_that_partys_reminder_and_full_acceptance_disarms_all(acme, contracting_engagement):  # noqa: F811
    version = sent(acme, contracting_engagement)
    accept(acme, version, acme.coachee2)
    assert {recipient for _, recipient, _ in pending(acme)} == {acme.coach.pk, acme.sponsor.pk}
    accept(acme, version, acme.coach)
    accept(acme, version, acme.sponsor)
    assert pending(acme) == []


def test_booking_a_session_arms_both_and_logging_disarms_the_log_reminder(acme, active_engagement):  # noqa: F811
    session = book(acme, active_engagement, after_days=3)
    kinds = sorted(kind for kind, _, _ in pending(acme))
    assert kinds == ["session_1h", "session_1h", "session_24h", "session_24h", "session_log"]
    held = past_session(acme, active_engagement, days_ago=1, number=2)
    with practice_context(acme.practice):
        reminders_services.arm_coaching_session(session=held)
    assert ("session_log", acme.coach.pk, held.booking.ends_at) in pending(acme)
    log(acme, held, summary="We worked on delegation.")
    assert ("session_log", acme.coach.pk, held.booking.ends_at) not in pending(acme)


def test_cancelling_a_session_disarms_it(acme, active_engagement):  # noqa: F811
    session = book(acme, active_engagement, after_days=3)
    with practice_context(acme.practice):
        cancel_session(session=session, actor=acme.coach, base_url=BASE_URL)
    assert pending(acme) == []


def test_an_action_is_reminded_at_nine_the_day_before_in_the_owners_zone_and_ticking_disarms(acme, active_engagement):  # noqa: F811
    session = past_session(acme, active_engagement)
    acme.coachee2.time_zone = "America/New_York"
    acme.coachee2.save()
    due_date = timezone.localdate() + timedelta(days=5)
    with practice_context(acme.practice):
        action = add_action(session=session, actor=acme.coach, text="Draft the plan", owner="coachee", due_date=due_date)
    expected = datetime.combine(due_date - timedelta(days=1), datetime.min.time().replace(hour=9),
                                tzinfo=__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert pending(acme) == [("action_due", acme.coachee2.pk, expected)]
    with practice_context(acme.practice):
        set_action_done(action=ActionItem.objects.get(pk=action.pk), actor=acme.coachee2, done=True)
    assert pending(acme) == []
    with practice_context(acme.practice):
        set_action_done(action=ActionItem.objects.get(pk=action.pk), actor=acme.coachee2, done=False)
    assert pending(acme) == [("action_due", acme.coachee2.pk, expected)]


def test_an_action_without_a_due_date_is_not_reminded(acme, active_engagement):  # noqa: F811
    session = past_session(acme, active_engagement)
    with practice_context(acme.practice):
        add_action(session=session, actor=acme.coach, text="Reflect", owner="coachee", due_date=None)
    assert pending(acme) == []


def test_a_call_moved_away_and_back_is_reminded_again(acme):
    profile = coach_profile(acme)
    call = book_call(acme, profile, days_ahead=3)
    first = call.booking.starts_at
    with practice_context(acme.practice):
        call = engagement_services.reschedule_chemistry_call(call=call, starts_at=first + timedelta(days=1), actor=None, base_url=BASE_URL)
        engagement_services.reschedule_chemistry_call(call=call, starts_at=first, actor=None, base_url=BASE_URL)
    assert {due for _, _, due in pending(acme, kind="chemistry_call_1h")} == {first - timedelta(hours=1)}



def test_moving_a_session_re_arms_it_for_the_new_time(acme, active_engagement):  # noqa: F811
    from tests.sessions.conftest import next_free_slot

    session = book(acme, active_engagement, after_days=4)
    with practice_context(acme.practice):
        new_start = next_free_slot(acme.coach, after_days=9)
        moved = reschedule_session(session=session, actor=acme.coach, starts_at=new_start, base_url=BASE_URL)
    assert {due for kind, _, due in pending(acme) if kind == "session_24h"} == {new_start - timedelta(hours=24)}
    assert {due for kind, _, due in pending(acme) if kind == "session_log"} == {moved.booking.ends_at}
    assert all(r.due_at < new_start - timedelta(hours=24) for r in reminders(acme, state="cancelled"))


def test_recording_the_outcome_disarms_the_coachs_outcome_reminder(acme):
    from coachhub.roster.models import Booking
    from engagements.models import ChemistryCall

    call = book_call(acme, coach_profile(acme))
    with practice_context(acme.practice):  # the call took place an hour ago
        start = timezone.now() - timedelta(hours=1)
        Booking.objects.filter(pk=call.booking_id).update(starts_at=start, ends_at=start + timedelta(minutes=30))
        engagement_services.record_chemistry_outcome(
            call=ChemistryCall.objects.get(pk=call.pk), coach=acme.coach, outcome="yes", notes="Good fit."
        )
    assert [kind for kind, _, _ in pending(acme)] == []
    assert {r.kind for r in reminders(acme, state="cancelled")} >= {"chemistry_outcome"}


def test_a_disarmed_reminder_says_why_in_the_words_of_its_kind(acme, contracting_engagement):  # noqa: F811
    version = sent(acme, contracting_engagement)
    accept(acme, version, acme.coachee2)
    answered = next(r for r in reminders(acme, state="cancelled") if r.recipient_id == acme.coachee2.pk)
    assert answered.reason == "the recipient has answered, or changes were asked for"

    call = book_call(acme, coach_profile(acme), days_ahead=3)
    with practice_context(acme.practice):
        engagement_services.reschedule_chemistry_call(
            call=call, starts_at=call.booking.starts_at + timedelta(days=2), actor=None, base_url=BASE_URL,
        )
    moved = reminders(acme, state="cancelled", subject=f"call:{call.pk}", kind="chemistry_call_1h")
    assert moved and {r.reason for r in moved} == {"the call was moved"}
