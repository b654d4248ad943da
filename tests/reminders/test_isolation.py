"""One practice's dispatcher never reads or sends another's reminders (the ORM scope and RLS both)."""

import pytest
from django.db import connection
from django.utils import timezone

from reminders.models import Reminder
from coachhub.tenancy.context import practice_context
from tests.reminders.conftest import reminders, run_dispatch
from tests.reminders.helpers import after_all_due, due_actions

pytestmark = pytest.mark.django_db


def test_dispatching_one_practice_leaves_the_others_reminders_alone(acme, globex, mailoutbox):
    acme_rows, globex_rows = due_actions(acme, 3), due_actions(globex, 2)
    outcome = run_dispatch(acme, now=after_all_due(acme_rows + globex_rows))
    assert outcome.sent == 3 and {m.to[0] for m in mailoutbox} == {acme.coachee.email}
    assert {r.state for r in reminders(globex)} == {"pending"}


def test_row_level_security_hides_another_practices_reminders_even_from_raw_sql(acme, globex):
    due_actions(acme, 2)
    due_actions(globex, 1)
    with practice_context(globex.practice):
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT practice_id FROM reminders_reminder")
            assert [row[0] for row in cursor.fetchall()] == [globex.practice.pk]
        cursor_rows = Reminder.objects.count()
        assert cursor_rows == 1
    with practice_context(None):
        assert Reminder.objects.count() == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM reminders_reminder")
            assert cursor.fetchone()[0] == 0


def test_a_reminder_cannot_be_written_into_another_practice(acme, globex):
    from django.db import DatabaseError, transaction

    with practice_context(globex.practice):
        with pytest.raises(DatabaseError), transaction.atomic():
            Reminder.objects.bulk_create([Reminder(
                practice=acme.practice, subject="action:1", kind="action_due", recipient=acme.coachee,
                due_at=timezone.now(), next_attempt_at=timezone.now(),
            )])
