"""Cached pages and per-request look-ups (tenancy.pagecache, tenancy.freshness): fast when
nothing changed, never stale after a write, never one viewer's page for another."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone

from coachhub.accounts.models import User
from coachhub.roster.models import CoachProfile
from coachhub.tenancy import freshness
from coachhub.tenancy.models import Membership, Practice
from coachhub.tenancy.pagecache import CSRF_PLACEHOLDER
from tests.conftest import client_at, publish_coach

pytestmark = pytest.mark.django_db


@contextmanager
def counted():
    """The statements sent while the block runs (without emptying the cache, unlike
    CaptureQueriesContext in these tests)."""
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield statements


def page_statements(statements: list[str]) -> list[str]:
    """Leave out the transaction and its Row-Level Security setting: a request's fixed cost."""
    return [sql for sql in statements if "set_config" not in sql and "SAVEPOINT" not in sql]


@pytest.fixture
def directory_of_acme(acme, in_practice):
    with in_practice(acme):
        return publish_coach(acme.coach, headline="Calm under pressure")


def test_a_page_seen_before_is_served_without_a_query(acme):
    client = client_at(acme, acme.coach)
    client.get("/")  # shows (and so uses up) the "signed in" message
    client.get("/")
    with counted() as statements:
        response = client.get("/")
    assert response.status_code == 200
    assert page_statements(statements) == [], statements


def test_with_the_page_cache_off_every_load_builds_the_page(acme, settings):
    settings.PAGE_CACHE = False
    client = client_at(acme, acme.coach)
    client.get("/")
    client.get("/")
    with counted() as statements:
        response = client.get("/")
    assert response.status_code == 200
    assert page_statements(statements), "the page was built: it read from the database"


def test_a_write_in_the_practice_shows_on_the_next_load(acme, in_practice, directory_of_acme):
    client = client_at(acme)
    assert "Calm under pressure" in client.get("/coaches/").content.decode()
    with in_practice(acme):
        CoachProfile.objects.filter(pk=directory_of_acme.pk).update(headline="Curious and direct")
    assert "Curious and direct" in client.get("/coaches/").content.decode()
    with in_practice(acme):
        profile = CoachProfile.objects.get(pk=directory_of_acme.pk)
        profile.headline = "Warm challenge"
        profile.save()
    assert "Warm challenge" in client.get("/coaches/").content.decode()


def test_a_write_in_another_practice_leaves_the_page_cached(acme, globex, in_practice, directory_of_acme):
    client = client_at(acme)
    client.get("/coaches/")
    with in_practice(globex):
        publish_coach(globex.coach)
    with counted() as statements:
        assert client.get("/coaches/").status_code == 200
    assert page_statements(statements) == [], statements


def test_a_persons_name_changed_anywhere_shows_at_once(acme, directory_of_acme):
    client = client_at(acme)
    client.get("/coaches/")
    User.objects.filter(pk=acme.coach.pk).update(full_name="Renamed Coach")
    assert "Renamed Coach" in client.get("/coaches/").content.decode()


def test_one_viewers_page_is_never_served_to_another(acme):
    coach, coach2 = client_at(acme, acme.coach), client_at(acme, acme.coach2)
    first = coach.get("/").content.decode()
    second = coach2.get("/").content.decode()
    assert f'class="site-user__name">{acme.coach.get_short_name()}<' in first
    assert f'class="site-user__name">{acme.coach2.get_short_name()}<' in second
    assert f'class="site-user__name">{acme.coach.get_short_name()}<' not in second


def test_a_cached_page_carries_a_working_csrf_token(acme):
    from django.test import Client

    client = Client(HTTP_HOST=acme.host, enforce_csrf_checks=True)
    client.force_login(acme.coach)
    session = client.session
    session["practice_id"] = acme.practice.pk
    session.save()
    client.get("/")
    cached = client.get("/").content.decode()
    assert CSRF_PLACEHOLDER not in cached
    token = cached.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 200 and "_auth_user_id" not in client.session


def test_a_page_with_a_message_is_not_taken_from_the_cache(acme):
    client = client_at(acme, acme.coach)  # signing in queues "Successfully signed in"
    first = client.get("/").content.decode()
    assert 'class="messages"' in first
    assert 'class="messages"' not in client.get("/").content.decode()


def test_an_ended_membership_signs_out_on_the_next_request(acme, in_practice):
    client = client_at(acme, acme.coach)
    assert client.get("/").status_code == 200
    with in_practice(acme):
        Membership.objects.filter(user=acme.coach).update(is_active=False, deactivated_at=timezone.now())
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_suspended_practice_answers_403_at_once(acme):
    client = client_at(acme, acme.coach)
    assert client.get("/").status_code == 200
    Practice.objects.filter(pk=acme.practice.pk).update(suspended_at=timezone.now())
    assert client.get("/").status_code == 403


def test_a_deactivated_account_is_signed_out_at_once(acme):
    client = client_at(acme, acme.coach)
    assert client.get("/").status_code == 200
    User.objects.filter(pk=acme.coach.pk).update(is_active=False)
    assert client.get("/").wsgi_request.user.is_anonymous


@pytest.mark.parametrize(
    ("sql", "scope"),
    [
        ('UPDATE "roster_coachprofile" SET "headline" = %s', "practice"),
        ('INSERT INTO "accounts_user" ("email") VALUES (%s)', freshness.PLATFORM),
        ('DELETE FROM "tenancy_practice" WHERE id = %s', freshness.PLATFORM),
        ('UPDATE "django_session" SET "session_data" = %s', None),
        ('INSERT INTO "tenancy_auditentry" ("action") VALUES (%s)', None),
        ('UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s', None),
        ('UPDATE "accounts_user" SET "last_login" = %s, "full_name" = %s WHERE "accounts_user"."id" = %s', freshness.PLATFORM),
        ('SELECT * FROM "roster_coachprofile"', None),
    ],
)
def test_a_write_renews_the_generation_of_what_it_touches(acme, in_practice, sql, scope):
    with in_practice(acme):
        touched = freshness._touched_scope(sql)
    assert touched == (f"p{acme.practice.pk}" if scope == "practice" else scope)


def test_no_cached_page_reads_a_table_whose_writes_renew_nothing(acme, in_practice):
    """Writes to IGNORED_TABLES leave cached pages in place: so no cached page, nor the look-ups
    before it, may read one."""
    from tests.sessions.conftest import active_engagement

    with in_practice(acme):
        publish_coach(acme.coach)
    engagement = active_engagement(acme)
    pages = [
        (acme.coach, "/"), (acme.coach, f"/engagements/{engagement.pk}/sessions/"),
        (engagement.coachee, "/"), (engagement.coachee, f"/engagements/{engagement.pk}/progress/"),
        (acme.sponsor, "/"), (acme.sponsor, "/dashboard/sponsor/"), (acme.admin, "/practice/dashboard/"),
        (None, "/coaches/"), (None, "/api/v1/coaches"),
    ]
    ignored = freshness.IGNORED_TABLES - {"django_session"}  # the session store keeps its own cache
    for person, path in pages:
        client = client_at(acme, person)
        with counted() as statements:
            assert client.get(path).status_code == 200, path
        read = [table for table in ignored if any(f'"{table}"' in sql for sql in statements)]
        assert page_statements(statements) and not read, (path, read)


def test_with_redis_away_pages_are_built_as_before(acme, directory_of_acme, settings):
    dead = {"BACKEND": "coachhub.tenancy.redis_cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    settings.CACHES = {"default": dead, "shared": {**dead, "KEY_PREFIX": "coachhub-shared"}}
    response = client_at(acme).get("/coaches/")
    assert response.status_code == 200
    assert "Calm under pressure" in response.content.decode()
