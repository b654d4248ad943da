"""What a batch costs PostgreSQL: a fixed few statements to claim it, then one per message, the
UPDATE by primary key that marks it sent, committed on its own before the next message goes."""

import pytest
from django.db import connection

from coachhub.tenancy.context import practice_context
from reminders import dispatch
from reminders.models import Reminder
from tests.conftest import make_practice
from tests.reminders.helpers import active_engagement_with_session, after_all_due, due_actions

pytestmark = pytest.mark.django_db(transaction=True)


def dispatched_statements(cast, session, count: int, monkeypatch) -> list[str]:
    with practice_context(cast.practice):
        Reminder.objects.all().delete()
    rows = due_actions(cast, count, session)
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    # Sent within RECHECK_AFTER of their claim: nothing is loaded again.
    monkeypatch.setattr(dispatch, "_clock", lambda start: lambda: start)
    with connection.execute_wrapper(record):
        outcome = dispatch.dispatch_due(practice=cast.practice, now=after_all_due(rows))
    assert outcome.sent == count
    return statements


def test_each_message_costs_one_statement_its_mark_and_the_batch_a_fixed_few(eml_dir, monkeypatch):
    acme = make_practice("acme", "Acme Coaching")
    session = active_engagement_with_session(acme)
    few = dispatched_statements(acme, session, 5, monkeypatch)
    many = dispatched_statements(acme, session, 25, monkeypatch)
    assert len(many) - len(few) == 20
    marks = [sql for sql in many if "UPDATE reminders_reminder SET state" in sql]
    assert len(marks) == 25 and all(sql.startswith("SELECT set_config") for sql in marks)
    with practice_context(acme.practice):
        assert set(Reminder.objects.values_list("state", flat=True)) == {"sent"}
