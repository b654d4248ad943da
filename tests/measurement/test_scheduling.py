"""Points are scheduled when a contract comes into force, fall due by sessions held or by date,
and follow an accepted amendment."""

from __future__ import annotations

from coachhub.tenancy.context import practice_context
from engagements.contracting import amendments, drafts, versions
from measurement.services.scheduling import schedule_points
from measurement.models import MeasurementPoint
from measurement.tasks import mark_points_due
from tests.contracts.conftest import accept, send
from tests.measurement.conftest import hold_sessions, point_of, rate


def test_accepting_the_contract_schedules_a_mid_and_an_end_point(acme, engagement, in_practice):
    with in_practice(acme):
        points = {p.kind: p for p in MeasurementPoint.objects.filter(engagement=engagement)}
        version = engagement.contract_versions.get(status="accepted")
    assert set(points) == {"mid", "end"}
    assert points["mid"].due_after_sessions == 3 and points["mid"].due_on is None
    assert points["end"].due_after_sessions == 6 and points["end"].due_on == version.end_date
    assert all(p.version_id == version.pk and p.fell_due_at is None for p in points.values())


def test_the_mid_point_follows_the_practice_setting_rounding_up(acme, in_practice):
    from tests.sessions.conftest import active_engagement

    acme.practice.mid_point_percent = 40
    acme.practice.save()
    engagement = active_engagement(acme)
    assert point_of(acme, engagement).due_after_sessions == 3  # ceil(6 × 40 %) = ceil(2.4)


def test_the_mid_point_falls_due_when_its_session_is_logged_as_held(acme, engagement):
    hold_sessions(acme, engagement, 2)
    assert point_of(acme, engagement).fell_due_at is None
    hold_sessions(acme, engagement, 1, first=3)
    assert point_of(acme, engagement).fell_due_at is not None
    assert point_of(acme, engagement, "end").fell_due_at is None


def test_the_daily_task_makes_a_point_fall_due_on_its_date(acme, engagement, in_practice):
    with in_practice(acme):
        MeasurementPoint.objects.filter(engagement=engagement, kind="end").update(due_on=engagement.created_at.date())
        mark_points_due.apply(kwargs={"practice_id": acme.practice.pk})
    assert point_of(acme, engagement, "end").fell_due_at is not None
    assert point_of(acme, engagement).fell_due_at is None


def _amend(acme, engagement, **changes):
    with practice_context(acme.practice):
        amendment = amendments.amend_contract(engagement=engagement, actor=acme.coach)
        objectives = [{f: getattr(o, f) for f in versions.OBJECTIVE_FIELDS} for o in amendment.objectives.all()]
        drafts.update_contract_draft(version=amendment, actor=acme.coach, changes=changes, objectives=objectives)
    amendment = send(acme, amendment)
    for _, party in amendment.parties():
        accept(acme, amendment, party)
    return amendment


def test_an_accepted_amendment_moves_open_points_and_their_ratings_to_the_new_version(acme, engagement, in_practice):
    hold_sessions(acme, engagement, 3)
    mid = point_of(acme, engagement)
    rate(acme, mid, engagement.coachee, 6)
    amendment = _amend(acme, engagement, sessions=10)
    mid, end = point_of(acme, engagement), point_of(acme, engagement, "end")
    assert mid.version_id == amendment.pk and end.version_id == amendment.pk
    with in_practice(acme):
        rating = mid.ratings.get()
        assert rating.objective.version_id == amendment.pk and rating.score == 6
    # The mid-point had already fallen due: its rule stays; the end-point takes the new package.
    assert mid.due_after_sessions == 3 and end.due_after_sessions == 10


def test_an_amendment_to_more_sessions_moves_a_mid_point_not_yet_due(acme, engagement):
    _amend(acme, engagement, sessions=10)
    assert point_of(acme, engagement).due_after_sessions == 5


def test_a_closed_point_keeps_the_version_it_was_rated_against(acme, engagement, in_practice):
    hold_sessions(acme, engagement, 3)
    mid = point_of(acme, engagement)
    for user in (engagement.coachee, acme.coach, acme.sponsor):
        rate(acme, mid, user, 6)
    first = mid.version_id
    amendment = _amend(acme, engagement, sessions=8)
    assert point_of(acme, engagement).version_id == first
    assert point_of(acme, engagement, "end").version_id == amendment.pk


def test_points_are_scheduled_once_per_engagement(acme, engagement, in_practice):
    with in_practice(acme):
        schedule_points(version=engagement.contract_versions.get(status="accepted"))
        assert MeasurementPoint.objects.filter(engagement=engagement).count() == 2


def test_the_daily_beat_entry_sweeps_every_practice_in_its_own_context(acme, globex, engagement, in_practice):
    from coachhub.celery import app
    from measurement.tasks import mark_points_due_everywhere

    assert any(entry["task"] == "measurement.tasks.mark_points_due_everywhere" for entry in app.conf.beat_schedule.values())
    with in_practice(acme):
        MeasurementPoint.objects.filter(engagement=engagement, kind="end").update(due_on=engagement.created_at.date())
    assert mark_points_due_everywhere.apply().get() == 2
    assert point_of(acme, engagement, "end").fell_due_at is not None
