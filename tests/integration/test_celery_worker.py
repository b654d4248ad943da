"""Through the real broker to a real worker process: tasks carry and keep their practice."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from coachhub import celery_app
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.services import invite_person
from tests.conftest import make_practice
from tests.integration.worker_probe import report_visible_rows
from tests.polling import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# The tests' own Redis database (pytest-env sets REDIS_URL), shared with the worker.
BROKER = settings.REDIS_URL


@pytest.fixture
def worker(tmp_path):
    """A Celery worker process on its own Redis database, connected to the test database
    as the application role."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"filemail://{tmp_path / 'mail'}",
    }
    subprocess.run([sys.executable, "-m", "celery", "-A", "coachhub", "purge", "-f"], env=env, capture_output=True, check=False)
    log = open(tmp_path / "worker.log", "w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coachhub", "worker", "--pool=solo", "--loglevel=INFO",
         "-I", "tests.integration.worker_probe", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert wait_for(lambda: "ready" in (tmp_path / "worker.log").read_text()), (tmp_path / "worker.log").read_text()
        yield tmp_path
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture
def through_broker():
    """Send this test's tasks to the broker instead of running them in-process."""
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def test_a_task_runs_in_the_worker_in_its_practices_context(worker, through_broker):
    acme, globex = make_practice("acme", "Acme Coaching"), make_practice("globex", "Globex Leadership")
    for cast in (acme, globex):
        with practice_context(cast.practice):
            report_visible_rows.delay(path=str(worker / f"{cast.practice.slug}.json"))
    for cast in (acme, globex):
        report = worker / f"{cast.practice.slug}.json"
        assert wait_for(report.exists), (worker / "worker.log").read_text()
        seen = json.loads(report.read_text())
        assert seen == {"practice": cast.practice.slug, "orm": 6, "raw": [cast.practice.pk]}


def test_an_invitation_email_goes_through_redis_and_is_written_by_the_worker(worker, through_broker):
    acme = make_practice("acme", "Acme Coaching")
    with practice_context(acme.practice):
        invite_person(email="new@example.com", role="coach", invited_by=acme.admin, base_url="http://acme.localhost:8000")
    mail_dir = worker / "mail"
    assert wait_for(lambda: mail_dir.exists() and any(mail_dir.glob("*.eml"))), (worker / "worker.log").read_text()
    message = next(mail_dir.glob("*.eml")).read_text()
    assert "To: new@example.com" in message
    assert re.search(r"From: \"Acme Coaching via CoachHub\"", message)
    assert "http://acme.localhost:8000/invitations/" in message
    assert "text/html" in message and "text/plain" in message
