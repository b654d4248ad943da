"""The coach's home page and an engagement page keep a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from sessions.models import ActionItem, Attendance, CoachingSession
from tests.conftest import client_at
from tests.sessions.conftest import past_session


def fill(acme, engagement, sessions: int, actions_each: int, first: int = 1) -> None:
    for number in range(first, first + sessions):
        session = past_session(acme, engagement, days_ago=number, number=number)
        with practice_context(acme.practice):
            CoachingSession.objects.filter(pk=session.pk).update(
                attendance=Attendance.HELD if number % 2 else Attendance.SCHEDULED,
                counts_as_used=bool(number % 2), logged_at=timezone.now() if number % 2 else None, summary=f"Summary {number}",
            )
            ActionItem.objects.bulk_create([
                ActionItem(practice=acme.practice, session=session, engagement=engagement, text=f"Action {number}.{n}",
                           due_date=timezone.localdate() - timedelta(days=1), status="open")
                for n in range(actions_each)
            ])


def test_fifty_sessions_and_two_hundred_actions_keep_the_query_count(acme, engagement, django_assert_max_num_queries):
    coach, coachee = client_at(acme, engagement.coach), client_at(acme, engagement.coachee)
    url = f"/engagements/{engagement.pk}/sessions/"
    fill(acme, engagement, 2, 4)
    baseline = {}
    for name, client in (("coach", coach), ("coachee", coachee)):
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
            client.get("/")
        baseline[name] = len(queries)
    # Both pages (engagement page and home page, each with the session and sign-in lookups) stay small.
    assert max(baseline.values()) <= 40, baseline
    fill(acme, engagement, 48, 4, first=3)
    with practice_context(acme.practice):
        assert CoachingSession.objects.count() == 50 and ActionItem.objects.count() == 200
    for name, client in (("coach", coach), ("coachee", coachee)):
        with django_assert_max_num_queries(baseline[name]):
            assert client.get(url).status_code == 200
            assert client.get("/").status_code == 200


def test_the_progress_panel_takes_the_pages_contract_and_session_counts(acme, engagement):
    """The sessions page and its progress panel read the contract in force, and count the sessions,
    once between them."""
    fill(acme, engagement, 2, 1)
    with CaptureQueriesContext(connection) as queries:
        response = client_at(acme, engagement.coach).get(f"/engagements/{engagement.pk}/sessions/")
    assert b"Progress on the objectives" in response.content
    statements = [query["sql"] for query in queries.captured_queries]
    in_force = [sql for sql in statements if sql.startswith('SELECT "engagements_contractversion"')]
    counted = [sql for sql in statements if sql.startswith('SELECT COUNT("coaching_sessions_coachingsession"')]
    assert len(in_force) == 1 and len(counted) == 1, statements
