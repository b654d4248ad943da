"""Nobody rewrites the audit trail, the application included: its database role may read and add
entries, never UPDATE, DELETE or TRUNCATE them, and no function it may call rewrites them. The one
SECURITY DEFINER function that deletes entries is the retention purge of sign-ins older than 90 days,
which takes no arguments."""

from __future__ import annotations

from contextlib import closing

import psycopg2
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from psycopg2 import sql

from coachhub.tenancy import audit
from coachhub.tenancy.models import AuditEntry

pytestmark = pytest.mark.django_db

TABLE = "tenancy_auditentry"


def _owner_connection():
    """The table's owner, on the test database (the role migrations run as)."""
    owner, test = settings.DATABASES["owner"], connection.settings_dict
    conn = psycopg2.connect(dbname=test["NAME"], user=owner["USER"], password=owner["PASSWORD"] or None,
                            host=test["HOST"] or None, port=test["PORT"] or None)
    conn.autocommit = True
    return conn


def test_the_app_role_holds_only_select_and_insert_on_the_trail():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT privilege, has_table_privilege(current_user, %s, privilege) FROM unnest(%s::text[]) AS privilege",
            [TABLE, ["SELECT", "INSERT", "UPDATE", "DELETE", "REFERENCES", "TRIGGER"]],
        )
        held = dict(cursor.fetchall())
    assert held == {"SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False, "REFERENCES": False,
                    "TRIGGER": False}


def test_the_app_role_cannot_update_or_delete_an_entry_even_of_its_own_practice(acme, in_practice):
    with in_practice(acme):
        entry = audit.record(actor=acme.admin, action="contract.accepted", subject="Contract v1 for {coachee}",
                             people={"coachee": acme.coachee}, sha256="ab" * 32)
        for statement in (
            f"UPDATE {TABLE} SET details = '{{}}' WHERE id = %s",
            f"UPDATE {TABLE} SET people = '{{}}' WHERE id = %s",
            f"DELETE FROM {TABLE} WHERE id = %s",
        ):
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement, [entry.pk])
        entry.refresh_from_db()
    assert entry.details == {"sha256": "ab" * 32} and entry.people == {"coachee": acme.coachee.pk}


def test_the_app_role_cannot_truncate_the_trail(acme, in_practice):
    """The test database's setup grants the app role TRUNCATE on every table, for the transactional tests'
    flush (tests/conftest.py); production never grants it (coachhub/tenancy/database.py). Here the
    owner takes that test-only grant back for the trail, as production has it, and restores it after."""
    with in_practice(acme):
        audit.record(actor=acme.admin, action="practice.updated", subject="Acme Coaching")
    app = sql.Identifier(connection.settings_dict["USER"])
    with closing(_owner_connection()) as owner, owner.cursor() as cursor:
        cursor.execute(sql.SQL("REVOKE TRUNCATE ON {} FROM {}").format(sql.Identifier(TABLE), app))
        try:
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                with connection.cursor() as app_cursor:
                    app_cursor.execute(f"TRUNCATE {TABLE}")
        finally:
            cursor.execute(sql.SQL("GRANT TRUNCATE ON {} TO {}").format(sql.Identifier(TABLE), app))
    with in_practice(acme):
        assert AuditEntry.objects.filter(action="practice.updated").exists()


def test_no_function_the_app_role_may_call_rewrites_the_trail_but_the_sign_in_purge():
    """Every SECURITY DEFINER function the app role may execute (they run with their owner's rights): none
    writes the trail, nor runs dynamic SQL that could, except the purge, which takes no arguments."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.proname, p.pronargs, p.prosrc
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND has_function_privilege(current_user, p.oid, 'EXECUTE')
            """
        )
        functions = cursor.fetchall()
    assert functions, "the purges are SECURITY DEFINER functions: the query must find them"
    touching = {name: args for name, args, source in functions if TABLE in source or "EXECUTE" in source.upper()}
    assert touching == {"audit_purge_sign_ins": 0}
    assert "audit_redact" not in {name for name, _, _ in functions}
