"""Exactly once: two workers at the same time, or a batch rolled back after its emails went out and
run again, never send a reminder twice and never lose one."""

import logging
import threading

import pytest
from django.db import connection

from coachhub.reminders import dispatch
from coachhub.reminders.models import Reminder
from coachhub.tenancy.context import practice_context
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
                with practice_context(acme.practice):
                    outcome = dispatch.dispatch_due(now=now, batch_size=10)
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


class Killed(Exception):
    """Stands for the worker dying after handing the batch to the mail backend, before COMMIT."""


def test_a_batch_rolled_back_after_sending_is_sent_again_with_the_same_message_ids_and_no_second_file(eml_dir, caplog):
    acme = make_practice("acme", "Acme Coaching")
    rows = due_actions(acme, 30)
    now = after_all_due(rows)
    with pytest.raises(Killed):
        with practice_context(acme.practice):
            assert dispatch.dispatch_due(now=now).sent == 30
            raise Killed
    first = sorted(message_ids(eml_dir))
    assert len(first) == 30
    with practice_context(acme.practice):
        assert set(Reminder.objects.values_list("state", flat=True)) == {"pending"}  # the claim rolled back
    caplog.set_level(logging.WARNING, logger="coachhub.tenancy.mail")
    with practice_context(acme.practice):
        assert dispatch.dispatch_due(now=now).sent == 30
    assert sorted(message_ids(eml_dir)) == first  # the same 30 messages, one file each
    assert caplog.text.count("already written") == 30
    with practice_context(acme.practice):
        assert set(Reminder.objects.values_list("state", flat=True)) == {"sent"}
        assert dispatch.dispatch_due(now=now).claimed == 0
