"""The engagement summary kept by the subscribers equals the one rebuilt from the source tables,
after every step of random journeys driven through the real services: bookings, logs, moves,
cancellations, amendments, ratings, closings, completion, erasure and the retention purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


from coachhub.tenancy.context import practice_context
from engagements.contracting import drafts
from engagements.contracting.amendments import amend_contract
from engagements.models import ContractVersion, Engagement
from engagements.services import BookingRefused
from measurement.models import EngagementSummary, MeasurementPoint
from measurement.services.closing import close_point, complete_engagement
from measurement.summaries.building import build, differences, rebuild_summaries, stale_summaries
from records.erasure import erase_person
from records.retention import purge_expired_records
from sessions.models import Attendance, CoachingSession
from sessions.services.booking import cancel_session, reschedule_session
from sessions.services.log import save_log
from tests.conftest import PracticeCast, client_at, publish_coach
from tests.contracts.conftest import BASE_URL, accept, send
from tests.measurement.conftest import rate
from tests.sessions.conftest import active_engagement, book, next_free_slot

FAR_AHEAD = timedelta(days=400)


class Journey:
    """One engagement of acme driven step by step; each step may be refused, as it would be on a page."""

    def __init__(self, cast: PracticeCast):
        self.cast = cast
        self.engagement = active_engagement(cast)

    def fresh(self) -> Engagement:
        return Engagement.objects.select_related("coachee", "coach").get(pk=self.engagement.pk)

    def scheduled(self, index: int) -> CoachingSession | None:
        sessions = list(CoachingSession.objects.filter(engagement=self.engagement, attendance=Attendance.SCHEDULED)
                        .select_related("booking").order_by("booking__starts_at", "pk"))
        return sessions[index % len(sessions)] if sessions else None

    def point(self, index: int) -> MeasurementPoint | None:
        points = list(MeasurementPoint.objects.filter(engagement=self.engagement, closed_at__isnull=True,
                                                      fell_due_at__isnull=False).select_related("version"))
        return points[index % len(points)] if points else None

    # --- the steps -------------------------------------------------------------------------------

    def book(self, n: int) -> None:
        book(self.cast, self.fresh(), after_days=1 + n % 20, beyond_commitment=True)

    def log(self, n: int) -> None:
        session = self.scheduled(n)
        if session is None:
            return
        attendance = [Attendance.HELD, Attendance.HELD, Attendance.NO_SHOW, Attendance.LATE_CANCELLATION][n % 4]
        save_log(session=session, actor=self.engagement.coach, version=session.version, final=True,
                 attendance=attendance, goals=f"Goals {n}", now=session.booking.starts_at + timedelta(hours=2))

    def hold(self, n: int) -> None:
        """A session booked and held (the mid- and end-points fall due by sessions held)."""
        self.book(n)
        self.log(4 * (n // 4))

    def finish(self, n: int) -> None:
        """Hold sessions until the end-point falls due, close what is due, complete the engagement."""
        for attempt in range(12):
            if MeasurementPoint.objects.filter(engagement=self.engagement, kind="end", fell_due_at__isnull=False).exists():
                break
            self.hold(attempt * 4)
        while (point := self.point(0)) is not None:
            self.close(0)
        self.complete(n)

    def draft_log(self, n: int) -> None:
        session = self.scheduled(n)
        if session is not None:
            save_log(session=session, actor=self.engagement.coach, version=session.version, summary=f"Draft {n}")

    def move(self, n: int) -> None:
        session = self.scheduled(n)
        if session is not None:
            reschedule_session(session=session, actor=self.engagement.coach, base_url=BASE_URL, beyond_commitment=True,
                               starts_at=next_free_slot(self.engagement.coach, after_days=2 + n % 25))

    def cancel(self, n: int) -> None:
        session = self.scheduled(n)
        if session is not None:
            # Some in time, some late (the contract's notice runs from `now`).
            late = n % 2 == 0
            now = session.booking.starts_at - timedelta(hours=1) if late else None
            cancel_session(session=session, actor=self.engagement.coach, base_url=BASE_URL, now=now)

    def amend(self, n: int) -> None:
        engagement = self.fresh()
        version = amend_contract(engagement=engagement, actor=engagement.coach)
        drafts.update_contract_draft(version=version, actor=engagement.coach, changes={"sessions": 4 + n % 6})
        version = send(self.cast, ContractVersion.objects.get(pk=version.pk))
        for _, party in version.parties():
            accept(self.cast, version, party)

    def rate(self, n: int) -> None:
        point = self.point(n)
        if point is not None and point.parties_rate:
            rater = [self.cast.coachee2, self.cast.coach, self.cast.sponsor][n % 3]
            rate(self.cast, point, rater, 1 + n % 10)

    def close(self, n: int) -> None:
        point = self.point(n)
        if point is not None:
            close_point(point=point, actor=self.engagement.coach, now=timezone.now() + FAR_AHEAD)

    def complete(self, n: int) -> None:
        complete_engagement(engagement=self.fresh(), actor=self.engagement.coach)

    def erase(self, n: int) -> None:
        person = [self.cast.coachee2, self.cast.sponsor, self.cast.coach][n % 3]
        erase_person(person=person, actor=self.cast.admin)

    def purge(self, n: int) -> None:
        purge_expired_records(practice=self.cast.practice, now=timezone.now() + timedelta(days=365 * 11))


STEPS = ["book", "hold", "hold", "hold", "log", "draft_log", "move", "cancel", "amend", "rate", "rate", "close",
         "finish", "complete", "erase", "purge"]


def assert_kept_equals_rebuilt(engagement: Engagement) -> None:
    kept = EngagementSummary.objects.get(engagement=engagement)
    assert differences(kept, build(Engagement.objects.get(pk=engagement.pk))) == {}
    assert stale_summaries() == []


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(STEPS), st.integers(min_value=0, max_value=99)), min_size=1, max_size=12))
def test_kept_summary_equals_the_rebuilt_one_after_every_step(acme, steps):
    with practice_context(acme.practice), transaction.atomic():
        publish_coach(acme.coach, horizon_days=365)
        journey = Journey(acme)
        assert_kept_equals_rebuilt(journey.engagement)
        for step, n in steps:
            try:
                with transaction.atomic():
                    getattr(journey, step)(n)
            except (ValidationError, BookingRefused):
                pass  # refused, as a page would say; nothing changed
            assert_kept_equals_rebuilt(journey.engagement)
        assert rebuild_summaries()[1] == 0
        transaction.set_rollback(True)  # the next example starts from the same practice


def test_a_changed_row_rises_in_version_and_the_rebuild_reports_nothing_to_do(acme, capsys):
    with practice_context(acme.practice):
        publish_coach(acme.coach, horizon_days=365)
        engagement = active_engagement(acme)
        before = EngagementSummary.objects.get(engagement=engagement)
        assert (before.stage, before.sessions_contracted, before.sessions_scheduled) == ("active", 6, 0)
        book(acme, engagement)
        after = EngagementSummary.objects.get(engagement=engagement)
        assert after.sessions_scheduled == 1 and after.version == before.version + 1
    call_command("rebuild_summaries", "--practice", "acme")
    assert "0 summary row(s) rebuilt" in capsys.readouterr().out


def test_rebuild_makes_a_missing_or_wrong_row_right(acme):
    with practice_context(acme.practice):
        engagement = active_engagement(acme)
        EngagementSummary.objects.filter(engagement=engagement).update(sessions_contracted=99)
        assert stale_summaries() == [engagement.pk]
        assert rebuild_summaries() == (1, 1)
        assert EngagementSummary.objects.get(engagement=engagement).sessions_contracted == 6
        EngagementSummary.objects.all().delete()
        assert rebuild_summaries() == (1, 1)
        assert stale_summaries() == []


def test_the_home_pages_list_engagements_from_their_summaries(acme):
    with practice_context(acme.practice):
        publish_coach(acme.coach, horizon_days=365)
        engagement = active_engagement(acme)
        session = book(acme, engagement)
        save_log(session=session, actor=acme.coach, version=session.version, final=True, attendance=Attendance.HELD,
                 now=session.booking.starts_at + timedelta(hours=2))
    coach_home = client_at(acme, acme.coach).get("/").content.decode()
    assert f"/engagements/{engagement.pk}/sessions/" in coach_home
    assert "1 of 6 sessions used" in coach_home
    coachee_home = client_at(acme, acme.coachee2).get("/").content.decode()
    assert f"/engagements/{engagement.pk}/sessions/" in coachee_home
