"""Nothing a request looks up first (its session, the person, their roles, the practice for the
host) is kept between requests: a change made outside the application — psql, another process,
a command — is seen by the very next request."""

import pytest
from django.db import connection

from coachhub.tenancy.context import practice_context
from tests.conftest import client_at

pytestmark = pytest.mark.django_db


def sql(statement: str, params: list, *, practice=None) -> None:
    """A write as psql would send it: no model, no signal, no service."""
    with practice_context(practice), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_practice_suspended_in_sql_is_suspended_at_the_next_request(acme):
    client = client_at(acme, acme.coach)
    assert client.get("/").status_code == 200
    sql("UPDATE tenancy_practice SET suspended_at = now() WHERE id = %s", [acme.practice.pk])
    assert client.get("/").status_code == 403


def test_a_membership_ended_in_sql_signs_the_person_out_at_the_next_request(acme):
    client = client_at(acme, acme.coach)
    assert client.get("/").status_code == 200
    sql("UPDATE tenancy_membership SET is_active = false, deactivated_at = now() WHERE user_id = %s",
        [acme.coach.pk], practice=acme.practice)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_account_deactivated_in_sql_is_signed_out_at_the_next_request(acme):
    client = client_at(acme, acme.coach)
    assert client.get("/").wsgi_request.user.is_authenticated
    sql("UPDATE accounts_user SET is_active = false WHERE id = %s", [acme.coach.pk])
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_session_deleted_in_sql_is_gone_at_the_next_request(acme):
    client = client_at(acme, acme.coach)
    assert client.get("/").wsgi_request.user.is_authenticated
    sql("DELETE FROM django_session", [])
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_role_granted_in_sql_counts_at_the_next_request(acme):
    client = client_at(acme, acme.coach)
    assert "admin" not in client.get("/").wsgi_request.roles
    sql("INSERT INTO tenancy_membership (practice_id, user_id, role, is_active, created_at, updated_at) "
        "SELECT practice_id, user_id, 'admin', true, now(), now() FROM tenancy_membership WHERE user_id = %s LIMIT 1",
        [acme.coach.pk], practice=acme.practice)
    assert "admin" in client.get("/").wsgi_request.roles
