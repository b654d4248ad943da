"""Background sweeps commit engagement by engagement: measurement points falling due by date and the
retention purge each take one engagement at a time in its own short transaction, so a practice's
engagements are never held locked together, and one engagement that fails is logged and rolled back
while the others are done.

Real transactions (transactional tests) and the real tasks, run in-process: while the sweep is at
the second engagement, another connection already sees the first one's work committed.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from records.retention import engagements as retention
from records.tasks import purge_expired_records
from coachhub.tenancy.context import practice_context
from engagements.contracting import versions
from engagements.models import ContractVersion, Engagement
from measurement.services import scheduling
from measurement.models import MeasurementPoint
from measurement.tasks import mark_points_due
from sessions.models import CoachingSession
from tests.records.test_retention import complete, with_notes
from tests.sessions.conftest import active_engagement

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_pdf_rendering(monkeypatch):
    """Setting up accepted contracts queues their PDFs; rendering them says nothing about sweeps."""
    monkeypatch.setattr(versions, "render_pdf_later", lambda version: None)


def elsewhere(cast, read):
    """`read()` on another connection (another thread), in the practice: sees only committed rows."""
    result = []

    def run():
        try:
            with practice_context(cast.practice):
                result.append(read())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    return result[0]


def three_engagements(cast) -> list[Engagement]:
    """Three active engagements of the practice, in the order a sweep takes them (by id)."""
    pairs = [(cast.coachee, cast.coach), (cast.coachee2, cast.coach), (cast.coachee2, cast.coach2)]
    return sorted((active_engagement(cast, coachee=coachee, coach=coach) for coachee, coach in pairs), key=lambda e: e.pk)


def end_point_fell_due(engagement: Engagement) -> bool:
    return MeasurementPoint.objects.get(engagement=engagement, kind="end").fell_due_at is not None


def failing_for(failing: Engagement, real, *, before_failing):
    """`real`, except that for `failing` it calls `before_failing()` and then raises."""

    def step(*, engagement: Engagement, **kwargs):
        if engagement.pk == failing.pk:
            before_failing()
            raise RuntimeError("injected failure")
        return real(engagement=engagement, **kwargs)

    return step


def test_points_fall_due_engagement_by_engagement_and_one_failure_leaves_the_others_done(acme, monkeypatch, caplog):
    first, failing, last = three_engagements(acme)
    with practice_context(acme.practice):
        MeasurementPoint.objects.filter(kind="end").update(due_on=timezone.localdate() - timedelta(days=1))
    seen_committed = []
    monkeypatch.setattr(scheduling, "mark_points_due", failing_for(
        failing, scheduling.mark_points_due, before_failing=lambda: seen_committed.append(
            elsewhere(acme, lambda: (end_point_fell_due(first), end_point_fell_due(last)))
        ),
    ))

    assert mark_points_due.apply(kwargs={"practice_id": acme.practice.pk}).get() == 2
    assert seen_committed == [(True, False)]  # the first engagement was committed before the second began
    with practice_context(acme.practice):
        assert end_point_fell_due(first) and end_point_fell_due(last)
        assert not end_point_fell_due(failing)
    assert f"engagement {failing.pk} failed and was rolled back" in caplog.text


def test_the_retention_purge_commits_engagement_by_engagement_and_one_failure_leaves_the_others_purged(
    acme, monkeypatch, caplog,
):
    engagements = three_engagements(acme)
    for number, engagement in enumerate(engagements, start=1):
        with_notes(acme, engagement, number)  # its own past time: two share a coach
        with practice_context(acme.practice):
            months = ContractVersion.objects.get(engagement=engagement, status="accepted").retention_months
        complete(acme, engagement, months_ago=months, days=1)
    first, failing, last = engagements

    def purged(engagement: Engagement) -> bool:
        return not CoachingSession.objects.filter(engagement=engagement).exclude(private_notes_ciphertext="").exists()

    seen_committed = []
    real = retention.purge_engagement_records
    monkeypatch.setattr(retention, "purge_engagement_records", failing_for(
        failing, real, before_failing=lambda: seen_committed.append(
            elsewhere(acme, lambda: (purged(first), purged(last)))
        ),
    ))

    assert purge_expired_records.apply(kwargs={"practice_id": acme.practice.pk}).get()["engagements"] == 2
    assert seen_committed == [(True, False)]
    with practice_context(acme.practice):
        assert purged(first) and purged(last) and not purged(failing)
    assert f"engagement {failing.pk} failed and was rolled back" in caplog.text
    # The next run purges what the failed one left.
    monkeypatch.setattr(retention, "purge_engagement_records", real)
    assert purge_expired_records.apply(kwargs={"practice_id": acme.practice.pk}).get()["engagements"] == 1
