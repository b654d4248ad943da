"""The two commands, run as an operator runs them (a process of their own): what they print and their
exit codes, to the letter of the issue."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import make_practice

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, media: Path) -> subprocess.CompletedProcess:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(media),
    }
    return subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_erase_person_prints_the_refusal_and_exits_1_then_erases_with_yes(tmp_path):
    acme = make_practice("acme", "Acme Coaching")
    refused = manage("erase_person", "--practice", "acme", "--email", acme.admin.email, "--yes", media=tmp_path)
    assert refused.returncode == 1 and "last admin" in refused.stderr
    done = manage("erase_person", "--practice", "acme", "--email", acme.coachee.email, "--yes", media=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Former coachee 1" in done.stdout and "Article 17(3)" in done.stdout


def test_export_person_writes_the_zip_and_refuses_an_unknown_email(tmp_path):
    acme = make_practice("acme", "Acme Coaching")
    out = tmp_path / "coach.zip"
    made = manage("export_person", "--practice", "acme", "--email", acme.coach.email, "--out", str(out), media=tmp_path)
    assert made.returncode == 0, made.stderr
    with zipfile.ZipFile(out) as archive:
        assert {"README.txt", "person.json"} <= set(archive.namelist())
    unknown = manage("export_person", "--practice", "acme", "--email", "nobody@acme.test", "--out", str(tmp_path / "x.zip"),
                     media=tmp_path)
    assert unknown.returncode == 1 and "Nobody with that email address" in unknown.stderr
