"""Records kept as the contract says: private notes of an engagement completed longer ago than the
contract's retention period are purged by the scheduled job, leaving an audit line (the rest of what
that purge takes and keeps: test_retention_engagements.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagements.retention import add_months
from records.retention import purge_expired_records
from records.tasks import enqueue_retention_purge
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import AuditEntry
from engagements.models import ContractVersion, Engagement
from sessions import encryption
from sessions.models import CoachingSession, LogDraft
from tests.sessions.conftest import engagement as active_engagement  # noqa: F401
from tests.sessions.conftest import past_session

pytestmark = pytest.mark.django_db


def complete(cast, engagement, months_ago: int, days: int = 0):
    with practice_context(cast.practice):
        Engagement.objects.filter(pk=engagement.pk).update(
            stage="completed", completed_at=add_months(timezone.now(), -months_ago) - timedelta(days=days)
        )


def with_notes(cast, engagement, number=1):
    session = past_session(cast, engagement, days_ago=400 + number, number=number)
    with practice_context(cast.practice):
        CoachingSession.objects.filter(pk=session.pk).update(
            private_notes_ciphertext=encryption.encrypt("Private: worried about the board."), summary="Shared summary.",
        )
    return session


def test_notes_past_the_retention_period_are_purged_with_an_audit_line(acme, active_engagement):  # noqa: F811
    sessions = [with_notes(acme, active_engagement, n) for n in (1, 2)]
    with practice_context(acme.practice):
        months = ContractVersion.objects.get(engagement=active_engagement, status="accepted").retention_months
    complete(acme, active_engagement, months_ago=months, days=1)
    with practice_context(acme.practice):
        assert purge_expired_records().engagements == 1
        for session in CoachingSession.objects.filter(pk__in=[s.pk for s in sessions]):
            assert session.private_notes_ciphertext == "" and session.summary == ""
        entry = AuditEntry.objects.get(action="records.purged")
        assert any("private notes" in what for what in entry.details["purged"]) and entry.details["sessions"] == 2
        assert entry.details["retention_months"] == months and entry.details["engagement"] == active_engagement.pk
        assert purge_expired_records().engagements == 0  # nothing left: no second audit line
        assert AuditEntry.objects.filter(action="records.purged").count() == 1


def test_private_notes_in_a_signed_out_log_draft_are_purged_too(acme, active_engagement):  # noqa: F811
    session = past_session(acme, active_engagement, days_ago=401, number=1)
    with practice_context(acme.practice):
        LogDraft.objects.create(
            session=session, author=acme.coach, summary="Draft summary.",
            private_notes_ciphertext=encryption.encrypt("Private: draft about the board."),
        )
        months = ContractVersion.objects.get(engagement=active_engagement, status="accepted").retention_months
    complete(acme, active_engagement, months_ago=months, days=1)
    with practice_context(acme.practice):
        assert purge_expired_records().engagements == 1
        assert not LogDraft.objects.filter(session=session).exists()
        entry = AuditEntry.objects.get(action="records.purged")
        assert entry.details["log_drafts"] == 1 and entry.details["sessions"] == 1


def test_notes_within_the_retention_period_are_kept(acme, active_engagement):  # noqa: F811
    session = with_notes(acme, active_engagement)
    with practice_context(acme.practice):
        months = ContractVersion.objects.get(engagement=active_engagement, status="accepted").retention_months
    complete(acme, active_engagement, months_ago=months - 1)
    with practice_context(acme.practice):
        assert purge_expired_records().engagements == 0
        assert CoachingSession.objects.get(pk=session.pk).private_notes_ciphertext != ""


def test_an_engagement_not_completed_is_never_purged(acme, active_engagement):  # noqa: F811
    session = with_notes(acme, active_engagement)
    with practice_context(acme.practice):
        assert purge_expired_records(now=timezone.now() + timedelta(days=3650)).engagements == 0
        assert CoachingSession.objects.get(pk=session.pk).private_notes_ciphertext != ""


def test_the_scheduled_job_purges_each_practice_in_its_own_context(acme, globex, active_engagement):  # noqa: F811
    with_notes(acme, active_engagement)
    with practice_context(acme.practice):
        months = ContractVersion.objects.get(engagement=active_engagement, status="accepted").retention_months
    complete(acme, active_engagement, months_ago=months + 1)
    assert enqueue_retention_purge.delay().get() == 2  # eager in tests: both practices' tasks ran
    with practice_context(acme.practice):
        assert AuditEntry.objects.filter(action="records.purged").count() == 1
    with practice_context(globex.practice):
        assert not AuditEntry.objects.filter(action="records.purged").exists()


def test_months_are_added_on_the_calendar():
    from datetime import datetime, timezone as tz

    assert add_months(datetime(2026, 1, 31, tzinfo=tz.utc), 1) == datetime(2026, 2, 28, tzinfo=tz.utc)
    assert add_months(datetime(2026, 11, 15, tzinfo=tz.utc), 24) == datetime(2028, 11, 15, tzinfo=tz.utc)
    assert add_months(datetime(2026, 3, 15, tzinfo=tz.utc), -3) == datetime(2025, 12, 15, tzinfo=tz.utc)
