"""Reminders through Redis to a real worker process, which is SIGKILLed in the middle of a batch; a
second worker finishes the job. Every reminder ends up sent, and at most one twice: the message the
killed worker was handing over. Once with the .eml development backend (one file per Message-ID),
once with a real SMTP server on loopback that counts what it receives."""

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone

from coachhub import celery_app
from reminders.models import Reminder
from reminders.tasks import enqueue_due_reminders
from coachhub.tenancy.context import practice_context
from tests.conftest import make_practice
from tests.polling import wait_for
from tests.reminders.helpers import due_actions

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def beat_until(condition, timeout=90.0) -> bool:
    """What beat does every minute, every second: the killed worker's rows come back once their lease ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        enqueue_due_reminders.delay()
        if wait_for(condition, timeout=1.0):
            return True
    return False


def worker_env(tmp_path, *, email_url: str, batch_size: int) -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.integration.worker_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": email_url,
        "REMINDERS_BATCH_SIZE": str(batch_size),
    }


def start_worker(tmp_path, name: str, env: dict) -> tuple[subprocess.Popen, Path]:
    log_path = tmp_path / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coachhub", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT, cwd=ROOT,
    )
    if not wait_for(lambda: "ready" in log_path.read_text()):
        process.kill()
        process.wait(timeout=10)
        pytest.fail(log_path.read_text())
    return process, log_path


def kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def message_ids(directory: Path) -> list[str]:
    ids = []
    for path in directory.glob("*.eml"):
        ids += [line.split(":", 1)[1].strip() for line in path.read_text().splitlines() if line.startswith("Message-ID:")]
    return ids


@pytest.fixture
def through_broker(tmp_path):
    env = worker_env(tmp_path, email_url="consolemail://", batch_size=1)
    subprocess.run([sys.executable, "-m", "celery", "-A", "coachhub", "purge", "-f"], env=env,
                   capture_output=True, check=False, cwd=ROOT)
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def states(practice) -> dict[str, int]:
    with practice_context(practice):
        return dict(Counter(Reminder.objects.values_list("state", flat=True)))


def all_due_now(count: int):
    acme = make_practice("acme", "Acme Coaching")
    due_actions(acme, count)
    with practice_context(acme.practice):  # all due now, whatever the hour of the test run
        Reminder.objects.update(next_attempt_at=timezone.now())
    return acme


def test_a_worker_killed_mid_batch_and_another_started_write_each_reminder_once(tmp_path, through_broker):
    count = 1500
    acme = all_due_now(count)
    mail = tmp_path / "mail"
    env = worker_env(tmp_path, email_url=f"filemail://{mail}", batch_size=count)  # one batch: the kill lands inside it

    first, first_log = start_worker(tmp_path, "first", env)
    try:
        enqueue_due_reminders.delay()  # what beat does every minute
        assert wait_for(lambda: mail.exists() and len(list(mail.glob("*.eml"))) >= 100), first_log.read_text()
        kill(first)
    finally:
        stop(first)
    written_before_kill = len(list(mail.glob("*.eml")))
    assert 0 < written_before_kill < count, "the kill must land inside the batch"
    # The claim was committed before sending: what went out is marked sent (all but perhaps the message
    # being handed over), the rest of the batch is still claimed, nothing is pending or lost.
    after_kill = states(acme.practice)
    assert set(after_kill) == {"sent", "sending"} and after_kill["sending"] + after_kill["sent"] == count
    assert written_before_kill - 1 <= after_kill["sent"] <= written_before_kill

    second, second_log = start_worker(tmp_path, "second", env)
    try:
        assert beat_until(lambda: states(acme.practice) == {"sent": count}), second_log.read_text()[-3000:]
    finally:
        stop(second)

    ids = message_ids(mail)
    assert len(ids) == count == len(set(ids)), "one file per reminder, no Message-ID twice"
    with practice_context(acme.practice):
        assert set(ids) == {row.message_id for row in Reminder.objects.all()}
    # At most the message the killed worker was handing over went again (and was refused as a second copy).
    assert second_log.read_text().count("already written") <= 1


class CountingSMTPServer:
    """An SMTP server (aiosmtpd) on loopback that counts the deliveries of each Message-ID. With
    `hold_after=n`, the message after the n-th waits, unanswered, until `release()`: the test kills
    the worker while it is handing that message over, so the kill lands inside a batch by
    construction, not by timing."""

    def __init__(self, hold_after: int | None = None):
        self.deliveries: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.hold_after = hold_after
        self.holding = threading.Event()  # set once the held message has arrived
        self._released = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content)
        with self._lock:
            hold = not self.holding.is_set() and self.hold_after is not None and self.delivered_unlocked() == self.hold_after
            if hold:
                self.holding.set()
        if hold:
            await asyncio.get_running_loop().run_in_executor(None, self._released.wait, 120)
        with self._lock:
            self.deliveries[message["Message-ID"]] += 1
        return "250 Message accepted for delivery"

    def release(self) -> None:
        self._released.set()

    def delivered_unlocked(self) -> int:
        return sum(self.deliveries.values())

    def delivered(self) -> int:
        with self._lock:
            return self.delivered_unlocked()


@pytest.fixture
def smtp_server():
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = CountingSMTPServer(hold_after=35)  # in the second batch of 25
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield server, port
    finally:
        server.release()
        controller.stop()


def test_a_worker_killed_mid_batch_sends_at_most_one_email_twice_over_smtp_and_loses_none(
    tmp_path, through_broker, smtp_server,
):
    server, port = smtp_server
    count = 120
    acme = all_due_now(count)
    env = worker_env(tmp_path, email_url=f"smtp://127.0.0.1:{port}", batch_size=25)

    first, first_log = start_worker(tmp_path, "first", env)
    try:
        enqueue_due_reminders.delay()
        # The 36th message is held unanswered: the worker is in the middle of handing it over.
        assert server.holding.wait(timeout=60), first_log.read_text()[-3000:]
        kill(first)
    finally:
        stop(first)
    delivered_before_kill = server.delivered()
    server.release()  # the held message counts as delivered: the server had it, the worker never heard so
    after_kill = states(acme.practice)
    assert delivered_before_kill < count and after_kill.get("sending"), "the kill must land inside a batch"
    assert after_kill.get("sent", 0) >= delivered_before_kill - 1  # each delivery marked sent, but the last perhaps

    second, second_log = start_worker(tmp_path, "second", env)
    try:
        assert beat_until(lambda: states(acme.practice) == {"sent": count}), second_log.read_text()[-3000:]
    finally:
        stop(second)

    with practice_context(acme.practice):
        expected = {row.message_id for row in Reminder.objects.all()}
    assert set(server.deliveries) == expected, "every reminder delivered, none missing"
    duplicates = sum(n - 1 for n in server.deliveries.values())
    assert duplicates <= 1, f"one kill, {duplicates} duplicate deliveries: {server.deliveries.most_common(3)}"
