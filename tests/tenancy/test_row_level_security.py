"""Row-Level Security: the database itself keeps practices apart, whatever the ORM does."""

import pytest
from django.apps import apps
from django.db import connection, transaction

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Membership, PracticeOwnedModel

pytestmark = pytest.mark.django_db


def tenant_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, PracticeOwnedModel)
    )


def raw_practice_ids(table: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT DISTINCT practice_id FROM "{table}"')
        return {row[0] for row in cursor.fetchall()}


def test_tests_connect_as_a_role_that_rls_binds():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
        cursor.execute("SELECT tableowner <> current_user FROM pg_tables WHERE tablename = 'tenancy_membership'")
        assert cursor.fetchone() == (True,)


def test_every_tenant_table_has_rls_enabled_forced_and_a_policy():
    tables = tenant_tables()
    assert "tenancy_membership" in tables
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                      (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
               FROM pg_class c WHERE c.relname = ANY(%s)""",
            [tables],
        )
        rows = {name: (enabled, forced, policies) for name, enabled, forced, policies in cursor.fetchall()}
    assert set(rows) == set(tables)
    for table, (enabled, forced, policies) in rows.items():
        assert enabled and forced and policies >= 1, table


def test_raw_sql_in_one_practice_sees_none_of_the_others_rows(acme, globex):
    for cast, other in [(acme, globex), (globex, acme)]:
        with practice_context(cast.practice):
            for table in tenant_tables():
                seen = raw_practice_ids(table)
                assert other.practice.pk not in seen, table
            assert raw_practice_ids("tenancy_membership") == {cast.practice.pk}


def test_without_a_practice_context_no_tenant_row_is_visible(acme, globex):
    with practice_context(None):
        for table in tenant_tables():
            if table == "tenancy_domain":
                continue  # readable by design: the host lookup happens before a practice is known
            assert raw_practice_ids(table) == set(), table
        assert Membership.objects.count() == 0


def test_a_row_cannot_be_written_into_another_practice_even_by_raw_sql(acme, globex):
    with practice_context(acme.practice):
        with pytest.raises(Exception, match="row-level security"):
            with connection.cursor() as cursor, transaction.atomic():
                cursor.execute(
                    "INSERT INTO tenancy_clientorganisation (practice_id, name, created_at, updated_at) "
                    "VALUES (%s, 'Smuggled', now(), now())",
                    [globex.practice.pk],
                )


def test_raw_sql_cannot_update_or_delete_another_practices_rows(acme, globex):
    with practice_context(acme.practice):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE tenancy_membership SET is_active = false WHERE practice_id = %s", [globex.practice.pk])
            assert cursor.rowcount == 0
            cursor.execute("DELETE FROM tenancy_clientorganisation WHERE practice_id = %s", [globex.practice.pk])
            assert cursor.rowcount == 0
    with practice_context(globex.practice):
        assert Membership.objects.filter(is_active=True).count() == 6


def test_the_practice_setting_does_not_outlive_its_transaction(acme):
    with practice_context(acme.practice):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.practice_id', true)")
        assert cursor.fetchone()[0] in (None, "")


def test_nested_contexts_restore_the_outer_practice(acme, globex):
    with practice_context(acme.practice):
        with practice_context(globex.practice):
            assert raw_practice_ids("tenancy_membership") == {globex.practice.pk}
        assert raw_practice_ids("tenancy_membership") == {acme.practice.pk}

