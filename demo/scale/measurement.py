"""A scaled engagement's measurement points, as schedule_points, rate_point and close_point leave
them: the mid-point after half the sessions held, the end-point after the last (or on the
contract's end date), ratings by coachee, coach and sponsor in the days after a point falls due,
and — for a closed point — the status and results measurement/compute.py gives those ratings."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from decimal import Decimal

from demo.scale.rows import Scope
from demo.scale.vocabulary import COMMENTS
from measurement import compute
from measurement.models import MeasurementPoint, ObjectiveResult, Rating, RatingRevision
from reminders.kinds import local_instant

SESSIONS = 8
MID_POINT_PERCENT = 50  # the practice's default
RATERS = ("coachee", "coach", "sponsor")  # who rates, in the order they do: a day apart from the point falling due
CLOSED_AFTER = timedelta(days=4)
# How far along their bar each coachee's objectives get, in turn: ahead, on track, behind, stuck.
TRAJECTORIES = (Decimal("1.2"), Decimal("1.0"), Decimal("0.6"), Decimal(0))
NUDGE = {"coachee": 0, "coach": -1, "sponsor": 0}


def _score(objective: dict, fraction: Decimal, trajectory: Decimal, role: str) -> int:
    progress = (objective["target"] - objective["baseline"]) * fraction * trajectory
    return max(1, min(10, round(objective["baseline"] + progress) + NUDGE[role] + objective["position"] % 2))


def _held_by(held: list[datetime], moment: datetime) -> int:
    return sum(1 for logged_at in held if logged_at <= moment)


def seed_points(scope: Scope, *, engagement: int, version: int, objectives: list[dict], parties: dict[str, int],
                held: list[datetime], end_date, completing: bool, variant: int) -> datetime | None:
    """Both points of an accepted contract. Returns when the engagement was completed (`completing`:
    the end-point closed with every rating), else None."""
    mid_after = max(1, math.ceil(SESSIONS * MID_POINT_PERCENT / 100))
    end_by_date = local_instant(end_date, time(0), scope.zone)
    end_due = [moment for moment in (held[SESSIONS - 1] if len(held) >= SESSIONS else None, end_by_date)
               if moment is not None and moment <= scope.now]
    points = (
        (MeasurementPoint.Kind.MID, mid_after, None, held[mid_after - 1] if len(held) >= mid_after else None),
        (MeasurementPoint.Kind.END, SESSIONS, end_date, min(end_due) if end_due else None),
    )
    trajectory = TRAJECTORIES[variant % len(TRAJECTORIES)]
    completed_at = None
    for kind, after, due_on, fell_due_at in points:
        # An active engagement's end-point waits for its sponsor (the demo's coachee3@ does too).
        raters = RATERS if kind == MeasurementPoint.Kind.MID or completing else RATERS[:2]
        closed_at = _seed_point(scope, engagement=engagement, version=version, objectives=objectives, parties=parties,
                                kind=kind, after=after, due_on=due_on, fell_due_at=fell_due_at, raters=raters,
                                held=held, trajectory=trajectory, closing=kind == MeasurementPoint.Kind.MID or completing)
        if completing and kind == MeasurementPoint.Kind.END:
            completed_at = closed_at + timedelta(days=1)
    return completed_at


def _seed_point(scope: Scope, *, engagement: int, version: int, objectives: list[dict], parties: dict[str, int], kind: str,
                after: int, due_on, fell_due_at: datetime | None, raters: tuple[str, ...], held: list[datetime],
                trajectory: Decimal, closing: bool) -> datetime | None:
    point = scope.new_id(MeasurementPoint)
    rated_at = {role: fell_due_at + timedelta(days=step + 1) for step, role in enumerate(raters)} if fell_due_at else {}
    rated_at = {role: moment for role, moment in rated_at.items() if moment <= scope.now}
    closed_at = fell_due_at + CLOSED_AFTER if fell_due_at else None
    if not closing or closed_at is None or closed_at > scope.now or len(rated_at) < len(RATERS):
        closed_at = None
    fraction = compute.progress_fraction(_held_by(held, fell_due_at), SESSIONS) if fell_due_at else Decimal(0)
    given: dict[int, dict[str, int]] = {}
    for role, moment in rated_at.items():
        for objective in objectives:
            score = given.setdefault(objective["id"], {})[role] = _score(objective, fraction, trajectory, role)
            comment = COMMENTS[role] if objective["position"] == 1 else ""
            rating = scope.add(Rating, point_id=point, objective_id=objective["id"], rater_id=parties[role], role=role,
                               score=score, comment=comment, created_at=moment)
            scope.add(RatingRevision, rating_id=rating, changed_by_id=parties[role], score=score, comment=comment,
                      created_at=moment)
    for role in RATERS if fell_due_at else ():
        scope.remind_weekly("measurement_due", f"point:{point}", engagement, parties[role], fell_due_at,
                            rated_at.get(role) or closed_at)
    status, reason, computation = "", "", {}
    if closed_at is not None:
        outcome = compute.assess_point(compute.PointInput(
            kind=kind, sessions_held=_held_by(held, closed_at), sessions_contracted=SESSIONS, tolerance=scope.tolerance,
            objectives=tuple(
                compute.ObjectiveInput(key=objective["id"], position=objective["position"], baseline=objective["baseline"],
                                       target=objective["target"], raters=RATERS, ratings=given.get(objective["id"], {}))
                for objective in objectives
            ),
        ))
        for result in outcome.objectives:
            scope.add(ObjectiveResult, point_id=point, objective_id=result.key, score=result.score,
                      expected=result.expected, status=result.status, reason=result.reason, created_at=closed_at)
        status, reason, computation = outcome.status, outcome.reason, {**outcome.computation, "missing_raters": []}
    scope.add(
        MeasurementPoint, id=point, engagement_id=engagement, version_id=version, kind=kind, due_after_sessions=after,
        due_on=due_on, fell_due_at=fell_due_at, closed_at=closed_at, closed_by_id=parties["coach"] if closed_at else None,
        status=status, status_reason=reason, computation=computation,
    )
    return closed_at
