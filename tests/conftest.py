"""Shared fixtures: a test database migrated by the owner and used as the application role,
two practices with a person in every role, and clients signed in at a practice's host.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import Client

from coachhub.accounts.models import User
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import ClientOrganisation, Membership, Practice, Role

PASSWORD = "correct-horse-battery-9"

# Debian's Chromium, as the end-to-end tests launch it (tests/e2e/conftest.py).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_configure(config):
    # Hashing demo passwords at full strength would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if worker := os.environ.get("PYTEST_XDIST_WORKER"):
        _give_the_worker_its_own_redis_and_files(int(worker.removeprefix("gw")))


def _give_the_worker_its_own_redis_and_files(number: int) -> None:
    """Under `pytest -n N` (xdist) every worker runs its own tests against its own test database
    (pytest-django suffixes its name) and, here, its own Redis database — TEST_REDIS_DB minus
    the worker's number, since tests empty the cache and purge the broker — and its own
    MEDIA_ROOT, since practice and person ids repeat across the workers' databases."""
    from django.test.utils import override_settings

    from coachhub.celery import app

    url = urlsplit(settings.REDIS_URL)
    database = int(url.path.strip("/") or 0) - number
    if database < 0:
        raise pytest.UsageError(f"Too many test workers for TEST_REDIS_DB={url.path.strip('/')}")
    redis_url = urlunsplit(url._replace(path=f"/{database}"))
    caches = {alias: {**cache_settings, "LOCATION": redis_url} for alias, cache_settings in settings.CACHES.items()}
    media = tempfile.mkdtemp(prefix=f"coachhub-media-gw{number}-")
    override_settings(REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url, CACHES=caches, MEDIA_ROOT=media).enable()
    app.conf.broker_url = redis_url
    # Subprocesses (a real Celery worker, manage.py commands) inherit the same database.
    os.environ["REDIS_URL"] = os.environ["TEST_REDIS_URL"] = redis_url


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_modify_db_settings, django_db_blocker):
    """Create and migrate the test database as the owner, then run every test as the
    application role, so Row-Level Security really applies (an owner or superuser would
    bypass it and prove nothing). Under xdist each worker gets its own database
    (`django_db_modify_db_settings` suffixes the test database's name with the worker's id)."""
    from django.test.utils import setup_databases, teardown_databases

    default = connections["default"]
    app = {"USER": default.settings_dict["USER"], "PASSWORD": default.settings_dict["PASSWORD"]}
    owner = {"USER": settings.DATABASES["owner"]["USER"], "PASSWORD": settings.DATABASES["owner"]["PASSWORD"]}
    with django_db_blocker.unblock():
        default.close()
        default.settings_dict.update(owner)
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        with default.cursor() as cursor:
            # Test-database only: transactional tests empty the tables between tests.
            cursor.execute(f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{app["USER"]}"')
        default.close()
        default.settings_dict.update(app)
    yield
    with django_db_blocker.unblock():
        default.close()
        default.settings_dict.update(owner)
        teardown_databases(config, verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached values must not leak between tests (Redis database 15)."""
    cache.clear()
    yield


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): client.post(...)` runs what the request queued for after its commit
    (emails, tasks): the test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@dataclass
class PracticeCast:
    """One practice and a person in every role."""

    practice: Practice
    admin: User
    coach: User
    coach2: User
    coachee: User
    coachee2: User
    sponsor: User
    organisation: ClientOrganisation

    @property
    def host(self) -> str:
        return self.practice.host


def make_user(email: str, name: str = "", password: str = PASSWORD) -> User:
    user = User.objects.create_user(email, password, full_name=name or email.split("@")[0].title())
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_practice(slug: str, name: str, time_zone: str = "Europe/London") -> PracticeCast:
    practice = Practice.objects.create(slug=slug, name=name, time_zone=time_zone)
    with practice_context(practice):
        organisation = ClientOrganisation.objects.create(name=f"{name} Client Ltd")
        people = {}
        for local, role in [
            ("admin", Role.ADMIN), ("coach", Role.COACH), ("coach2", Role.COACH),
            ("coachee", Role.COACHEE), ("coachee2", Role.COACHEE), ("sponsor", Role.SPONSOR),
        ]:
            user = make_user(f"{local}@{slug}.test", f"{local.title()} {name.split()[0]}")
            Membership.objects.create(
                user=user, role=role,
                client_organisation=organisation if role in (Role.SPONSOR, Role.COACHEE) else None,
            )
            people[local] = user
    return PracticeCast(practice=practice, organisation=organisation, **people)


@pytest.fixture(scope="session")
def radicale(tmp_path_factory):
    """A real CalDAV server (Radicale) on loopback for the whole run; each test adds its own users."""
    from tests.radicale import Radicale

    server = Radicale(tmp_path_factory.mktemp("radicale")).start()
    yield server
    server.stop()


@pytest.fixture
def acme(db) -> PracticeCast:
    return make_practice("acme", "Acme Coaching")


@pytest.fixture
def globex(db) -> PracticeCast:
    """The second practice every isolation test tries to cross into."""
    return make_practice("globex", "Globex Leadership", "America/New_York")


@pytest.fixture
def in_practice():
    """`with in_practice(cast): ...` runs ORM code as that practice, like a request would."""

    def enter(cast: PracticeCast):
        return practice_context(cast.practice)

    return enter


def client_at(cast: PracticeCast, user: User | None = None) -> Client:
    """A test client whose requests go to the practice's host, signed in as `user` if given."""
    client = Client(HTTP_HOST=cast.host)
    if user is not None:
        response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.content.decode()[:2000]
    return client


def publish_coach(user: User, *, time_zone: str = "Europe/London", weekdays=range(5), hours=(9, 17), **fields):
    """Give `user` (a coach of the current practice) a published profile with weekly hours."""
    from datetime import time

    from coachhub.roster.models import CoachProfile, WeeklyHours

    profile = CoachProfile.objects.create(
        user=user, time_zone=time_zone, is_published=True, video_link="https://video.example/room",
        minimum_notice_hours=fields.pop("minimum_notice_hours", 0),
        buffer_minutes=fields.pop("buffer_minutes", 0), **fields,
    )
    for weekday in weekdays:
        WeeklyHours.objects.create(coach=profile, weekday=weekday, starts_at=time(hours[0]), ends_at=time(hours[1]))
    return profile
