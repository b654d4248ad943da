"""The practice admin's dashboard: engagements by stage, points due and overdue, off-track
engagements first, each coach's load against capacity and sessions held this month."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from coachhub.roster.models import Booking, CoachProfile
from coachhub.tenancy.context import practice_context
from engagements.models import Engagement
from measurement import dashboards
from measurement.models import MeasurementPoint
from sessions.models import Attendance, CoachingSession
from tests.conftest import client_at
from tests.measurement.dashboard_support import portfolio, signed_in

pytestmark = pytest.mark.django_db

DASHBOARD = "/practice/dashboard/"


@pytest.fixture
def ten(acme) -> list[int]:
    return portfolio(acme, 10)


def test_engagements_are_counted_by_stage(acme, ten):
    response = client_at(acme, acme.admin).get(DASHBOARD)
    assert response.status_code == 200
    stages = {stage: count for stage, _, count in response.context["stages"]}
    assert stages == {"chemistry": 0, "contracting": 0, "active": 8, "completed": 2, "closed": 0}
    assert "Practice dashboard" in response.content.decode()


def test_points_due_and_overdue_follow_the_grace_period(acme, ten):
    # The two unmeasured engagements' mid-points fell due 23 and 28 days ago; the rest are closed.
    with practice_context(acme.practice):
        MeasurementPoint.objects.filter(engagement_id=ten[3], kind="mid").update(fell_due_at=timezone.now() - timedelta(days=2))
    acme.practice.measurement_grace_days = 7
    acme.practice.save()
    response = client_at(acme, acme.admin).get(DASHBOARD)
    assert response.context["due_counts"] == {"due": 2, "overdue": 1}
    points = response.context["points_due"]
    assert [(p.engagement_id, p.overdue) for p in points] == [(ten[8], True), (ten[3], False)]
    assert "of which <strong>1</strong> overdue" in response.content.decode()


def test_off_track_engagements_come_first(acme, ten):
    response = client_at(acme, acme.admin).get(DASHBOARD)
    statuses = [row.engagement.latest_status for row in response.context["rows"]]
    assert statuses[:2] == ["off_track", "off_track"]
    assert statuses[2:4] == ["at_risk", "at_risk"]
    assert set(statuses[4:8]) == {"on_track", "achieved"}
    assert statuses[8:] == ["", ""]


def test_each_coach_has_load_against_capacity_and_sessions_held_this_month(acme, ten):
    now = timezone.now()
    month_start, _ = dashboards.month_bounds(now, ZoneInfo(acme.practice.time_zone))
    with practice_context(acme.practice):
        CoachProfile.objects.create(user=acme.coach, capacity=4)
        # coach2 has no profile yet. Move every held session of coach to last month but one.
        CoachingSession.objects.filter(engagement__coach=acme.coach).update(attendance=Attendance.CANCELLED_IN_TIME, counts_as_used=False)
        engagement = Engagement.objects.get(pk=ten[0])
        for hours, attendance in ((1, Attendance.HELD), (3, Attendance.NO_SHOW)):
            starts_at = month_start + timedelta(hours=hours)
            booking = Booking.objects.create(coach=acme.coach, kind=Booking.Kind.COACHING, starts_at=starts_at,
                                             ends_at=starts_at + timedelta(hours=1),
                                             blocked=DateTimeTZRange(starts_at, starts_at + timedelta(hours=1), "[)"))
            CoachingSession.objects.create(engagement=engagement, booking=booking, number=9 + hours, attendance=attendance)
        before = month_start - timedelta(hours=5)
        booking = Booking.objects.create(coach=acme.coach, kind=Booking.Kind.COACHING, starts_at=before,
                                         ends_at=before + timedelta(hours=1),
                                         blocked=DateTimeTZRange(before, before + timedelta(hours=1), "[)"))
        CoachingSession.objects.create(engagement=engagement, booking=booking, number=20, attendance=Attendance.HELD)
    response = client_at(acme, acme.admin).get(DASHBOARD)
    loads = {load.coach.pk: load for load in response.context["coach_loads"]}
    coach, coach2 = loads[acme.coach.pk], loads[acme.coach2.pk]
    # Five engagements each; coach's one completed engagement is not carried.
    assert (coach.load, coach.capacity, coach.over_capacity, coach.held_this_month) == (4, 4, False, 1)
    assert (coach2.load, coach2.capacity) == (4, None)
    page = response.content.decode()
    assert "4 of 4" in page and "(no profile)" in page


def test_a_coach_over_capacity_is_marked(acme, ten):
    with practice_context(acme.practice):
        CoachProfile.objects.create(user=acme.coach, capacity=2)
    page = client_at(acme, acme.admin).get(DASHBOARD).content.decode()
    assert "Over capacity" in page


def test_the_dashboard_shows_no_session_content(acme, ten):
    with practice_context(acme.practice):
        CoachingSession.objects.update(goals="Secret goals", summary="Secret summary", summary_shared_with_sponsor=True)
    page = client_at(acme, acme.admin).get(DASHBOARD).content.decode()
    assert "Secret" not in page


def test_the_dashboard_pages_through_many_engagements(acme):
    portfolio(acme, 60)
    client = client_at(acme, acme.admin)
    first = client.get(DASHBOARD)
    assert len(first.context["rows"]) == 50
    second = client.get(DASHBOARD, {"page": 2})
    assert len(second.context["rows"]) == 10
    assert client.get(DASHBOARD, {"page": "nonsense"}).status_code == 200


@pytest.mark.parametrize("person", ["coach", "coach2", "coachee", "sponsor"])
def test_only_the_practice_admin_opens_it(acme, ten, person):
    assert client_at(acme, getattr(acme, person)).get(DASHBOARD).status_code == 404


def test_a_built_coachee_gets_404(acme, ten):
    with practice_context(acme.practice):
        coachee = Engagement.objects.get(pk=ten[0]).coachee
    assert signed_in(acme, coachee).get(DASHBOARD).status_code == 404


def test_another_practices_admin_sees_only_their_own(acme, globex, ten):
    portfolio(globex, 1)
    response = client_at(globex, globex.admin).get(DASHBOARD)
    stages = {stage: count for stage, _, count in response.context["stages"]}
    assert stages["active"] == 1 and stages["completed"] == 0
    assert len(response.context["rows"]) == 1
    assert {load.coach.pk for load in response.context["coach_loads"]} == {globex.coach.pk, globex.coach2.pk}


def test_the_admin_reaches_it_from_the_navigation(acme):
    assert f'href="{DASHBOARD}"' in client_at(acme, acme.admin).get("/").content.decode()


def test_this_month_is_the_practices_month():
    from datetime import datetime

    late_october_utc = datetime(2026, 10, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    start, end = dashboards.month_bounds(late_october_utc, ZoneInfo("Asia/Singapore"))
    assert (start.month, end.month) == (11, 12)  # already 1 November in Singapore
    start, end = dashboards.month_bounds(late_october_utc, ZoneInfo("America/New_York"))
    assert (start.month, start.day, end.month) == (10, 1, 11)
