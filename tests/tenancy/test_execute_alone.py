"""execute_alone: one statement in a practice, a transaction of its own, one round trip (the outbox's
mark-sent), with Row-Level Security and the transaction-local setting as practice_context gives them."""

import pytest
from django.db import connection
from psycopg2.extensions import TRANSACTION_STATUS_IDLE

from coachhub.tenancy.context import current_practice, execute_alone, practice_context
from coachhub.tenancy.models import ClientOrganisation
from tests.conftest import make_practice

RENAME = "UPDATE tenancy_clientorganisation SET name = %s WHERE practice_id = ANY(%s)"


def sent_statements(run) -> list[str]:
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        run()
    return statements


@pytest.mark.django_db(transaction=True)
def test_alone_it_commits_in_one_round_trip_touching_only_its_practice_and_leaving_no_setting():
    acme, globex = make_practice("acme", "Acme Coaching"), make_practice("globex", "Globex Coaching")
    counts = []
    statements = sent_statements(lambda: counts.append(
        execute_alone(acme.practice, RENAME, ["Renamed", [acme.practice.pk, globex.practice.pk]], wait_for_disk=False)
    ))
    assert counts == [1] and len(statements) == 1
    assert connection.connection.get_transaction_status() == TRANSACTION_STATUS_IDLE  # committed, nothing open
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.practice_id', true), current_setting('synchronous_commit')")
        assert cursor.fetchone() in [("", "on"), (None, "on")]
    assert current_practice() is None
    with practice_context(acme.practice):
        assert list(ClientOrganisation.objects.values_list("name", flat=True)) == ["Renamed"]
    with practice_context(globex.practice):
        assert list(ClientOrganisation.objects.values_list("name", flat=True)) == ["Globex Coaching Client Ltd"]


@pytest.mark.django_db
def test_inside_an_open_transaction_it_joins_it_and_hands_the_outer_practice_back(acme, globex):
    with practice_context(globex.practice):
        assert execute_alone(acme.practice, RENAME, ["Renamed", [acme.practice.pk, globex.practice.pk]]) == 1
        assert current_practice() == globex.practice
        with connection.cursor() as cursor:  # the outer practice's setting is back
            cursor.execute("SELECT current_setting('app.practice_id')")
            assert cursor.fetchone() == (str(globex.practice.pk),)
        assert not ClientOrganisation.objects.filter(name="Renamed").exists()
    with practice_context(acme.practice):
        assert ClientOrganisation.objects.filter(name="Renamed").count() == 1
