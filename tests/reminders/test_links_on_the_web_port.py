"""Links in emails point at the web server, whichever process builds them: in `make run` honcho gives
the worker PORT=8100 and beat PORT=8200, while the web server listens on WEB_PORT (8000), and the
worker builds the reminder and stakeholder emails."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.reminders.conftest import book_call, coach_profile, run_dispatch

BASE_DIR = Path(__file__).resolve().parents[2]
LINK = re.compile(r"https?://acme\.localhost(?::(\d+))?/")


@pytest.mark.django_db
def test_a_reminder_built_where_port_is_8100_links_to_the_web_port(acme, mailoutbox, settings, monkeypatch):
    settings.DEBUG, settings.WEB_PORT = True, 8000
    monkeypatch.setenv("PORT", "8100")
    call = book_call(acme, coach_profile(acme), days_ahead=3)
    run_dispatch(acme, now=call.booking.starts_at - timedelta(hours=24) + timedelta(minutes=1))
    assert mailoutbox
    for message in mailoutbox:
        ports = {match.group(1) for match in LINK.finditer(message.body + message.extra_headers["List-Unsubscribe"])}
        assert ports == {"8000"}, (message.subject, ports)


def test_a_worker_process_with_port_8100_reads_the_web_port_from_web_port():
    env = {**os.environ, "PORT": "8100", "WEB_PORT": "8000", "DEBUG": "true", "BASE_DOMAIN": "localhost"}
    script = "from coachhub.tenancy.models import Practice; from reminders.emails import practice_base_url; " \
             "print(practice_base_url(Practice(slug='acme')))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], env=env, cwd=BASE_DIR, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "http://acme.localhost:8000"


def test_make_run_gives_every_process_the_web_server_s_port():
    assert "export WEB_PORT := $(PORT)" in (BASE_DIR / "Makefile").read_text().splitlines()
    web = next(line for line in (BASE_DIR / "Procfile.dev").read_text().splitlines() if line.startswith("web:"))
    assert "${WEB_PORT" in web
