"""The outbox's own rules: the lease, rows taken up again after it, the check just before sending, and
giving up on a mail server that keeps refusing."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from reminders import dispatch
from sessions.models import ActionItem
from tests.reminders.conftest import reminders, run_dispatch
from tests.reminders.helpers import (
    active_engagement_with_session,
    after_all_due,
    due_actions,
)

pytestmark = pytest.mark.django_db


class Interrupting(LocmemBackend):
    """The test backend, which runs `during_first_send` (once) while the first message is handed over."""

    during_first_send = None

    def send_messages(self, messages) -> int:
        sent = super().send_messages(messages)
        hook, Interrupting.during_first_send = Interrupting.during_first_send, None
        if hook:
            hook()
        return sent


@pytest.fixture
def interrupting(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.reminders.test_outbox.Interrupting"
    yield Interrupting
    Interrupting.during_first_send = None


def states(cast) -> dict[str, int]:
    return dict(Counter(row.state for row in reminders(cast)))


def test_the_lease_is_ten_smtp_timeouts_thirty_seconds_each_unless_configured(settings):
    settings.EMAIL_TIMEOUT = None
    assert (dispatch.smtp_timeout(), dispatch.lease()) == (30, timedelta(minutes=5))
    settings.EMAIL_TIMEOUT = 7
    assert dispatch.lease() == timedelta(seconds=70)


def test_rows_left_sending_are_due_again_for_the_beat_only_once_their_lease_has_run_out(acme, mailoutbox):
    rows = due_actions(acme, 3)
    now = after_all_due(rows)
    with practice_context(acme.practice):  # claimed by a dispatch that then died
        dispatch.Reminder.objects.update(state="sending", claim="6f1c1c4e-0000-4000-8000-000000000001", claimed_at=now)
        assert dispatch.due_count(now=now + dispatch.lease() - timedelta(seconds=1)) == 0
        assert dispatch.due_count(now=now + dispatch.lease()) == 3
    assert run_dispatch(acme, now=now + timedelta(minutes=1)).claimed == 0
    outcome = run_dispatch(acme, now=now + dispatch.lease())
    assert (outcome.claimed, outcome.reclaimed, outcome.sent) == (3, 3, 3) and len(mailoutbox) == 3
    assert states(acme) == {"sent": 3}


@pytest.fixture
def clock(monkeypatch):
    """The dispatcher's clock, standing still unless a test moves it on (`clock["by"]`)."""
    skew = {"by": timedelta(0)}
    monkeypatch.setattr(dispatch, "_clock", lambda start: lambda: start + skew["by"])
    return skew


def test_reminders_whose_check_grew_older_than_recheck_after_are_checked_again_before_their_turn(
    acme, interrupting, clock,
):
    count = dispatch.CHECK_AHEAD + 2
    rows = due_actions(acme, count)

    def all_actions_done_while_time_passes():
        with practice_context(acme.practice):
            ActionItem.objects.update(status=ActionItem.Status.DONE, done_at=timezone.now())
        clock["by"] = dispatch.RECHECK_AFTER + timedelta(seconds=1)

    interrupting.during_first_send = all_actions_done_while_time_passes
    outcome = run_dispatch(acme, now=after_all_due(rows))
    # The first went on the check made as it was claimed; by their turn the others' check was too old:
    # checked again (CHECK_AHEAD, then the last two), on fresh copies, they are skipped.
    assert (outcome.sent, outcome.skipped) == (1, count - 1)
    assert {r.reason for r in reminders(acme, state="skipped")} == {"the action is done"}


def test_a_dispatch_that_stalls_past_its_lease_leaves_what_another_took_over_and_repeats_only_its_message_in_hand(
    acme, interrupting, mailoutbox, monkeypatch, caplog,
):
    rows = due_actions(acme, 3)
    now = after_all_due(rows)
    skew = {"by": timedelta(0)}
    monkeypatch.setattr(dispatch, "_clock", lambda start: lambda: start + skew["by"])

    def stall_while_another_dispatch_runs():
        skew["by"] = dispatch.lease() + timedelta(seconds=1)
        assert run_dispatch(acme, now=now + skew["by"]).sent == 3

    interrupting.during_first_send = stall_while_another_dispatch_runs
    first = run_dispatch(acme, now=now)
    assert first.sent == 1  # the one it held when it stalled; the other two were left to the second dispatch
    deliveries = Counter(m.extra_headers["Message-ID"] for m in mailoutbox)
    assert sorted(deliveries.values()) == [1, 1, 2]
    assert states(acme) == {"sent": 3}
    assert "another dispatch took over reminders of this batch" in caplog.text
    assert "they may go twice" in caplog.text


def test_a_mail_server_refusing_six_times_is_given_up_saying_why(acme, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    rows = due_actions(acme, 1)
    now = after_all_due(rows)
    for attempt in range(1, dispatch.MAX_ATTEMPTS):
        assert run_dispatch(acme, now=now).retrying == 1
        (row,) = reminders(acme)
        assert (row.state, row.attempts) == ("pending", attempt)
        now = row.next_attempt_at
    assert run_dispatch(acme, now=now).skipped == 1
    (row,) = reminders(acme)
    assert row.state == "skipped"
    assert row.reason.startswith(f"gave up after {dispatch.MAX_ATTEMPTS} attempts: email backend unavailable")


def test_a_digest_is_written_again_without_a_reminder_that_stopped_applying_before_its_turn(
    acme, interrupting, mailoutbox, clock,
):
    from reminders import services as reminders_services
    from reminders.kinds import KINDS
    from reminders.models import Reminder

    session = active_engagement_with_session(acme)
    singles = due_actions(acme, dispatch.CHECK_AHEAD, session)  # the coachee's, sent before the digest
    with practice_context(acme.practice):
        tomorrow = timezone.localdate() + timedelta(days=1)
        for text in ("Send the 360 invitations", "Book the sponsor meeting"):
            action = ActionItem.objects.create(session=session, engagement=session.engagement, text=text,
                                               owner="coach", due_date=tomorrow)
            reminders_services.arm_action(action=action)
        reminders_services.update_notification_settings(user=acme.coach, enabled_kinds=list(KINDS), morning_digest=True)
        Reminder.objects.filter(recipient=acme.coach).update(for_digest=True)
    coach_rows = reminders(acme, recipient=acme.coach)

    def first_coach_action_done():
        with practice_context(acme.practice):
            ActionItem.objects.filter(text="Send the 360 invitations").update(
                status=ActionItem.Status.DONE, done_at=timezone.now(),
            )
        clock["by"] = dispatch.RECHECK_AFTER + timedelta(seconds=1)

    interrupting.during_first_send = first_coach_action_done
    run_dispatch(acme, now=after_all_due(singles + coach_rows))
    (digest,) = [m for m in mailoutbox if m.to == [acme.coach.email]]
    assert digest.subject == "Your reminders for today (1)"
    assert "Book the sponsor meeting" in digest.body and "Send the 360 invitations" not in digest.body
    assert sorted((r.state, r.reason) for r in reminders(acme, recipient=acme.coach)) == [
        ("sent", ""), ("skipped", "the action is done"),
    ]


def test_the_admins_list_counts_reminders_on_their_way_as_due(acme, mailoutbox):
    from reminders.selectors import engagements_with_reminders

    rows = due_actions(acme, 3)
    with practice_context(acme.practice):
        before = {e.pk: e.reminders_due for e in engagements_with_reminders()}
        assert sum(before.values()) > 0
        dispatch.Reminder.objects.update(state="sending", claim="6f1c1c4e-0000-4000-8000-000000000002",
                                         claimed_at=after_all_due(rows))
        assert {e.pk: e.reminders_due for e in engagements_with_reminders()} == before
