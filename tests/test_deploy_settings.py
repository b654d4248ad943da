"""Production settings: with DEBUG off and a strong key, Django's deploy check is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def test_check_deploy_reports_no_issues():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {"FIELD_ENCRYPTION_KEYS": "8oQ6bqNrPnnbx8k1AvhnjCNS8dUH9vxCrQvDgwjrFBE=", "DEBUG": "false", "SECRET_KEY": "x7!Qm2#vL9@pR4$tW8^zK1&nB6*yH3(cF5)dJ0_gS2+eA7-uM9=oI4"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout




@pytest.mark.parametrize(
    "name, value, message",
    [
        ("WEB_PORT", "eighty", "WEB_PORT='eighty' is not valid"),
        ("DEBUG", "maybe", "DEBUG='maybe' is not valid: use true or false"),
        ("DATABASE_URL", "nonsense", "DATABASE_URL must look like postgres://"),
        ("EMAIL_URL", "pigeon://coop", "EMAIL_URL='pigeon://coop' is not valid"),
    ],
)
def test_a_malformed_setting_stops_start_up_with_a_message_naming_it(name, value, message):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env={**os.environ, name: value},
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode != 0
    assert message in result.stderr.strip().splitlines()[-1]


def test_check_deploy_requires_a_valid_notes_encryption_key():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {"DEBUG": "false", "SECRET_KEY": "x7!Qm2#vL9@pR4$tW8^zK1&nB6*yH3(cF5)dJ0_gS2+eA7-uM9=oI4", "FIELD_ENCRYPTION_KEYS": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], env=env, capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is not set" in result.stderr


def _settings_of(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print('DEBUG', settings.DEBUG)"],
        env={**env, "DJANGO_SETTINGS_MODULE": "coachhub.settings"}, capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[1],
    )


def _without(*names: str) -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in names}


def test_debug_is_off_unless_it_is_set():
    result = _settings_of(_without("DEBUG") | {
        "SECRET_KEY": "x7!Qm2#vL9@pR4$tW8^zK1&nB6*yH3(cF5)dJ0_gS2+eA7-uM9=oI4",
        "FIELD_ENCRYPTION_KEYS": "8oQ6bqNrPnnbx8k1AvhnjCNS8dUH9vxCrQvDgwjrFBE=",
    })
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "DEBUG False"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS"])
def test_without_debug_a_missing_secret_stops_start_up_with_a_message_naming_it(missing):
    env = _without("DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS") | {
        "SECRET_KEY": "x7!Qm2#vL9@pR4$tW8^zK1&nB6*yH3(cF5)dJ0_gS2+eA7-uM9=oI4",
        "FIELD_ENCRYPTION_KEYS": "8oQ6bqNrPnnbx8k1AvhnjCNS8dUH9vxCrQvDgwjrFBE=",
    }
    del env[missing]
    result = _settings_of(env)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr.strip().splitlines()[-1]


def test_with_debug_development_keys_stand_in_for_the_secrets():
    result = _settings_of(_without("SECRET_KEY", "FIELD_ENCRYPTION_KEYS") | {"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "DEBUG True"


def test_commands_that_read_only_the_code_need_no_secrets_and_the_others_still_stop():
    """A migrations check or a build's collectstatic runs without the deployment's keys; anything
    that could sign, encrypt or serve still stops without them."""
    env = _without("DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DJANGO_ALLOW_ASYNC_UNSAFE")

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], env=env, capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parents[1])

    checked = manage("makemigrations", "--check", "--dry-run")
    assert checked.returncode == 0 and "No changes detected" in checked.stdout, checked.stderr
    stopped = manage("check")
    assert stopped.returncode != 0 and "SECRET_KEY is not set" in stopped.stderr
