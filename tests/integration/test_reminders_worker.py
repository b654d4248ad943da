"""Reminders through Redis to a real worker process, which is SIGKILLed in the middle of a batch and
started again: every reminder ends up sent exactly once (one file per Message-ID, every row sent)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from coachhub import celery_app
from coachhub.reminders.models import Reminder
from coachhub.reminders.tasks import enqueue_due_reminders
from coachhub.tenancy.context import practice_context
from tests.conftest import make_practice
from tests.reminders.helpers import due_actions

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

COUNT = 1500
ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def worker_env(tmp_path) -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"filemail://{tmp_path / 'mail'}",
        "REMINDERS_BATCH_SIZE": str(COUNT),  # one batch: the kill lands inside it
    }


def start_worker(tmp_path, name: str) -> tuple[subprocess.Popen, Path]:
    log_path = tmp_path / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coachhub", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        env=worker_env(tmp_path), stdout=open(log_path, "w"), stderr=subprocess.STDOUT, cwd=ROOT,
    )
    assert wait_for(lambda: "ready" in log_path.read_text()), log_path.read_text()
    return process, log_path


def message_ids(directory: Path) -> list[str]:
    ids = []
    for path in directory.glob("*.eml"):
        ids += [line.split(":", 1)[1].strip() for line in path.read_text().splitlines() if line.startswith("Message-ID:")]
    return ids


@pytest.fixture
def through_broker(tmp_path):
    subprocess.run([sys.executable, "-m", "celery", "-A", "coachhub", "purge", "-f"], env=worker_env(tmp_path),
                   capture_output=True, check=False, cwd=ROOT)
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def states(practice) -> dict[str, int]:
    with practice_context(practice):
        rows = list(Reminder.objects.values_list("state", flat=True))
    return {state: rows.count(state) for state in set(rows)}


def test_a_worker_killed_mid_batch_and_restarted_sends_each_reminder_exactly_once(tmp_path, through_broker):
    acme = make_practice("acme", "Acme Coaching")
    due_actions(acme, COUNT)
    with practice_context(acme.practice):  # all due now, whatever the hour of the test run
        Reminder.objects.update(next_attempt_at=timezone.now())
    mail = tmp_path / "mail"

    first, first_log = start_worker(tmp_path, "first")
    try:
        enqueue_due_reminders.delay()  # what beat does every minute
        assert wait_for(lambda: mail.exists() and len(list(mail.glob("*.eml"))) >= 100), first_log.read_text()
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    written_before_kill = len(list(mail.glob("*.eml")))
    assert 0 < written_before_kill < COUNT, "the kill must land inside the batch"
    # PostgreSQL rolled the dying worker's transaction back: nothing is marked sent, nothing is lost.
    assert wait_for(lambda: states(acme.practice) == {"pending": COUNT}, timeout=30), states(acme.practice)

    second, second_log = start_worker(tmp_path, "second")
    try:
        enqueue_due_reminders.delay()  # the next beat tick
        assert wait_for(lambda: states(acme.practice) == {"sent": COUNT}, timeout=120), second_log.read_text()[-3000:]
    finally:
        second.terminate()
        second.wait(timeout=20)

    ids = message_ids(mail)
    assert len(ids) == COUNT == len(set(ids)), "one file per reminder, no Message-ID twice"
    with practice_context(acme.practice):
        assert set(ids) == {row.message_id for row in Reminder.objects.all()}
    # The messages the killed worker had already written were handed over again and refused as duplicates.
    assert second_log.read_text().count("already written") == written_before_kill
