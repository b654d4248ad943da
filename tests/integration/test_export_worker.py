"""A data export through Redis to a real worker process: the worker builds the ZIP under the practice's
media folder (encrypted), marks it ready and emails the person their link."""

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from coachhub import celery_app
from coachhub.tenancy import encryption
from coachhub.tenancy.context import practice_context
from records import services
from records.models import DataExport
from tests.conftest import make_practice
from tests.integration.test_celery_worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"filemail://{tmp_path / 'mail'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    subprocess.run([sys.executable, "-m", "celery", "-A", "coachhub", "purge", "-f"], env=env, capture_output=True, check=False)
    log = open(tmp_path / "worker.log", "w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coachhub", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2],
    )
    celery_app.conf.task_always_eager = False
    try:
        assert wait_for(lambda: "ready" in (tmp_path / "worker.log").read_text()), (tmp_path / "worker.log").read_text()
        yield tmp_path
    finally:
        celery_app.conf.task_always_eager = True
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_an_export_is_built_by_the_worker_and_the_person_emailed(worker):
    acme = make_practice("acme", "Acme Coaching")
    with practice_context(acme.practice):
        export = services.request_export(person=acme.coachee, requested_by=acme.coachee, base_url="http://acme.localhost:8000/")

    def ready() -> bool:
        with practice_context(acme.practice):
            return DataExport.objects.get(pk=export.pk).status == "ready"

    assert wait_for(ready, timeout=60), (worker / "worker.log").read_text()
    with practice_context(acme.practice):
        export.refresh_from_db()
    stored = worker / "media" / export.file_path
    assert export.file_path.startswith(f"practices/{acme.practice.pk}/exports/") and stored.exists()
    # Stored encrypted (records/files.py): not a ZIP on disk, the ZIP once decrypted with the keys.
    assert not zipfile.is_zipfile(stored)
    with zipfile.ZipFile(io.BytesIO(encryption.decrypt_bytes(stored.read_bytes()))) as archive:
        assert "person.json" in archive.namelist()
    mail_dir = worker / "mail"
    assert wait_for(lambda: mail_dir.exists() and any(mail_dir.glob("*.eml"))), (worker / "worker.log").read_text()
    message = next(mail_dir.glob("*.eml")).read_text()
    assert f"To: {acme.coachee.email}" in message
    assert re.search(r"http://acme\.localhost:8000/accounts/data/download/[\w-]+/", message)
