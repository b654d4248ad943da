"""`seed_demo` gives coachee@'s active engagement three logged sessions and two upcoming, once."""

import pytest
from django.core.management import call_command
from django.db import connection

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice
from sessions import selectors
from sessions.models import ActionItem, Attendance, CoachingSession

pytestmark = pytest.mark.django_db


def test_seed_demo_logs_three_sessions_and_books_two_idempotently():
    call_command("seed_demo")
    call_command("seed_demo")
    practice = Practice.objects.order_by("slug").first()
    with practice_context(practice):
        sessions = list(CoachingSession.objects.filter(engagement__coachee__email__startswith="coachee@")
                        .select_related("engagement__coachee", "engagement__coach").order_by("number"))
        assert [s.attendance for s in sessions] == [Attendance.HELD] * 3 + [Attendance.SCHEDULED] * 2
        assert sessions[0].engagement.coachee.email.startswith("coachee@")
        for session in sessions[:3]:
            assert session.goals and session.worked_on and session.summary.startswith("Summary:")
            assert selectors.private_notes_of(session, session.engagement.coach).startswith("Private note:")
        assert ActionItem.objects.filter(status="done").exists() and ActionItem.objects.filter(status="open").exists()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM coaching_sessions_coachingsession WHERE private_notes_ciphertext LIKE %s", ["%Private%"])
            assert cursor.fetchone()[0] == 0
