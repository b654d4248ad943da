"""`make run` starts with reminders already due in each practice; seed_demo again sends none twice."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from reminders import dispatch
from reminders.models import Reminder
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice

pytestmark = pytest.mark.django_db


def due_kinds(practice) -> list[tuple[str, str]]:
    with practice_context(practice):
        rows = Reminder.objects.filter(state="pending", next_attempt_at__lte=timezone.now()).select_related("recipient")
        return sorted((row.kind, row.recipient.email.split("@")[0]) for row in rows)


def send_due(practice) -> int:
    with practice_context(practice):
        return dispatch.dispatch_due().sent


def test_the_demo_has_reminders_due_at_once_and_seeding_again_sends_none_twice(mailoutbox):
    call_command("seed_demo")
    for practice in Practice.objects.filter(slug__in=["acme", "globex"]):
        due = due_kinds(practice)
        assert [("contract_acceptance", who) for who in ("coach", "coachee2", "sponsor")] == [
            entry for entry in due if entry[0] == "contract_acceptance"
        ]
        assert ("action_due", "coachee") in due and ("measurement_due", "sponsor") in due
        assert send_due(practice) == len(due)
    sent = len(mailoutbox)
    assert sent >= 8
    assert any("away day" in message.subject for message in mailoutbox)
    call_command("seed_demo")
    for practice in Practice.objects.filter(slug__in=["acme", "globex"]):
        assert due_kinds(practice) == []
        assert send_due(practice) == 0
    assert len(mailoutbox) == sent


def test_the_demos_upcoming_calls_and_sessions_have_their_reminders_armed():
    call_command("seed_demo")
    for practice in Practice.objects.filter(slug__in=["acme", "globex"]):
        with practice_context(practice):
            armed = set(
                Reminder.objects.filter(state="pending", due_at__gt=timezone.now()).values_list("kind", flat=True)
            )
        assert {"chemistry_call_24h", "chemistry_call_1h", "chemistry_outcome"} <= armed
        assert {"session_24h", "session_1h", "session_log"} <= armed
