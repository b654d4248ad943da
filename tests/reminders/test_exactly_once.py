"""Exactly once: two workers at the same time never send a reminder twice or lose one; a worker killed
while handing a message over sends that one message again, with the same Message-ID, and no other."""

import logging
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection

from reminders import dispatch
from reminders.models import Reminder
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.mail import EmlFileBackend
from tests.conftest import make_practice
from tests.reminders.helpers import after_all_due, due_actions

pytestmark = pytest.mark.django_db(transaction=True)


def message_ids(directory) -> list[str]:
    ids = []
    for path in directory.glob("*.eml"):
        for line in path.read_text().splitlines():
            if line.startswith("Message-ID:"):
                ids.append(line.split(":", 1)[1].strip())
    return ids


def test_two_workers_dispatching_at_once_send_each_reminder_exactly_once(eml_dir):
    acme = make_practice("acme", "Acme Coaching")
    rows = due_actions(acme, 120)
    now = after_all_due(rows)
    totals, errors = [], []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            while True:
                outcome = dispatch.dispatch_due(practice=acme.practice, now=now, batch_size=10)
                totals.append(outcome.sent)
                if outcome.claimed == 0:
                    break
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(totals) == 120
    ids = message_ids(eml_dir)
    assert len(ids) == 120 == len(set(ids))
    with practice_context(acme.practice):
        assert set(Reminder.objects.values_list("state", flat=True)) == {"sent"}


class Killed(BaseException):
    """Stands for SIGKILL: nothing in the dispatcher catches it, no transaction is open to roll back."""


class DiesHandingOver(EmlFileBackend):
    """The development backend, in a worker that dies right after the mail server took its 8th message."""

    written = 0

    def send_messages(self, email_messages) -> int:
        sent = super().send_messages(email_messages)
        DiesHandingOver.written += sent
        if DiesHandingOver.written == 8:
            raise Killed
        return sent


def test_a_worker_killed_after_handing_over_a_message_sends_that_one_again_after_the_lease_and_no_other(
    eml_dir, settings, caplog,
):
    settings.EMAIL_BACKEND = "tests.reminders.test_exactly_once.DiesHandingOver"
    DiesHandingOver.written = 0
    acme = make_practice("acme", "Acme Coaching")
    rows = due_actions(acme, 30)
    now = after_all_due(rows)
    with pytest.raises(Killed):
        dispatch.dispatch_due(practice=acme.practice, now=now)
    first = sorted(message_ids(eml_dir))
    assert len(first) == 8
    # Committed before the kill: seven marked sent, the eighth (handed over, not yet marked) and the
    # 22 not reached still claimed. None is pending again, none is lost.
    assert states(acme) == {"sent": 7, "sending": 23}
    settings.EMAIL_BACKEND = "coachhub.tenancy.mail.EmlFileBackend"
    assert dispatch.dispatch_due(practice=acme.practice, now=now).claimed == 0  # still within their lease
    caplog.set_level(logging.WARNING, logger="coachhub.tenancy.mail")
    later = now + dispatch.lease() + timedelta(seconds=1)
    outcome = dispatch.dispatch_due(practice=acme.practice, now=later)
    assert (outcome.claimed, outcome.reclaimed, outcome.sent) == (23, 23, 23)
    ids = message_ids(eml_dir)
    assert len(ids) == 30 == len(set(ids)) and set(first) < set(ids)
    assert caplog.text.count("already written") == 1  # the one message it was handing over, same Message-ID
    assert states(acme) == {"sent": 30}
    assert dispatch.dispatch_due(practice=acme.practice, now=later).claimed == 0


def states(cast) -> dict[str, int]:
    with practice_context(cast.practice):
        return dict(Counter(Reminder.objects.values_list("state", flat=True)))
