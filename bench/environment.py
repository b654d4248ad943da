"""The benchmark's own environment: its own database and Redis database, production-like settings.

Derived from the developer's configuration (environment, or `.env` as settings.py reads it):
the same PostgreSQL server and roles, but the database `coachhub_bench` (BENCH_DATABASE to
change it) and Redis database 12 (BENCH_REDIS_DB). Set before Django is imported, so the
in-process part and the gunicorn subprocess see the same settings.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from devservers.choose import configured as developer_configuration

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var" / "bench"

# settings.py's defaults, for when neither the environment nor .env sets them.
DEFAULT_DATABASE_URL = "postgres://coachhub_app@127.0.0.1:5432/coachhub"
DEFAULT_OWNER_URL = "postgres://coachhub@127.0.0.1:5432/coachhub"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

HOST = "bench.localhost"


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=path))


def bench_environment() -> dict[str, str]:
    """The variables the benchmark runs with (in-process and for gunicorn)."""
    configured = developer_configuration()
    database = os.environ.get("BENCH_DATABASE", "coachhub_bench")
    redis_db = os.environ.get("BENCH_REDIS_DB", "12")
    return {
        "DJANGO_SETTINGS_MODULE": "coachhub.settings",
        # DEBUG is off, so private coach notes need a key: a fixed one, for bench data only.
        "FIELD_ENCRYPTION_KEYS": "Y29hY2todWItYmVuY2gtbm90ZXMta2V5LW5vdC1zZWM=",
        # With DEBUG off whitenoise serves collected files; the bench collects its own.
        "STATIC_ROOT": str(VAR / "static"),
        "DATABASE_URL": _with_path(configured.get("DATABASE_URL", DEFAULT_DATABASE_URL), f"/{database}"),
        "DATABASE_OWNER_URL": _with_path(configured.get("DATABASE_OWNER_URL", DEFAULT_OWNER_URL), f"/{database}"),
        "REDIS_URL": _with_path(configured.get("REDIS_URL", DEFAULT_REDIS_URL), f"/{redis_db}"),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "HTTP_PROTOCOL": "http",
        "BASE_DOMAIN": "localhost",
        "EMAIL_URL": f"filemail://{VAR / 'mail'}",
        "MEDIA_ROOT": str(VAR / "media"),
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }


def apply(variables: dict[str, str]) -> None:
    os.environ.update(variables)
    VAR.mkdir(parents=True, exist_ok=True)


def describe(variables: dict[str, str]) -> str:
    """One human line (no `name=value`) saying where the benchmark's data lives."""
    database = urlsplit(variables["DATABASE_URL"])
    redis = urlsplit(variables["REDIS_URL"])
    conn_max_age = os.environ.get("CONN_MAX_AGE", "60 (default)")
    return (
        f"database {database.path.lstrip('/')} on {database.hostname}:{database.port or 5432}, "
        f"Redis db {redis.path.lstrip('/')}, DEBUG off, CONN_MAX_AGE {conn_max_age}"
    )


def machine_load() -> str:
    """A human line on how busy the machine is: figures from a loaded machine are lower."""
    cpus = os.cpu_count() or 1
    try:
        one_minute = os.getloadavg()[0]
    except OSError:
        return f"{cpus} CPUs"
    line = f"{cpus} CPUs, load average {one_minute:.2f} over the last minute"
    if one_minute > cpus / 2:
        line += ": the machine is busy, so the figures below are lower than on an idle one"
    return line


def prepare_database(stdout) -> None:
    """Roles and the bench database when missing, then migrations (as the owner), then the
    static files manifest gunicorn needs with DEBUG off (into var/bench/static)."""
    from django.core.management import call_command

    call_command("setup_database", stdout=stdout)
    call_command("migrate", interactive=False, verbosity=0, stdout=stdout)


def collect_static(stdout) -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0, stdout=stdout)
