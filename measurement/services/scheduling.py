"""Scheduling measurement points (journey step 5): the mid- and end-point created from the
contract in force (and the stakeholders' baseline round, when the contract asks for one) and carried
over to an accepted amendment, falling due as sessions are held or their date comes, and moved by
the coach.

Each service is one transaction and says why it refuses (ValidationError, with the field where
there is one). A point or engagement the actor may not touch raises its model's DoesNotExist,
exactly as a missing one would (the pages answer 404).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coachhub.tenancy import audit
from coachhub.tenancy.context import practice_context, require_practice
from coachhub.tenancy.events import publish
from coachhub.tenancy.models import Practice
from engagements.locking import sweep_engagements
from engagements.models import ContractVersion, Engagement
from measurement.events import PointFellDue, PointMoved
from measurement.models import (
    POINT_ORDER,
    RATED_KINDS,
    MeasurementPoint,
    PointMove,
    Rating,
)
from measurement.selectors import last_held_session_date, sessions_held
from measurement.services.closing import close_baseline_rounds
from measurement.services.points import coach_point


def default_due_rules(version: ContractVersion) -> dict[str, dict]:
    """Mid: after ceil(sessions × mid_point_percent %) sessions held. End: after the last session,
    or on the end date, whichever comes first."""
    practice = require_practice()
    mid_sessions = max(1, math.ceil(version.sessions * practice.mid_point_percent / 100))
    return {
        MeasurementPoint.Kind.MID: {"due_after_sessions": min(mid_sessions, version.sessions), "due_on": None},
        MeasurementPoint.Kind.END: {"due_after_sessions": version.sessions, "due_on": version.end_date},
    }


def baseline_round_rule(today: date) -> dict:
    """The stakeholders' baseline round: due the day the coaching starts, closing by itself after the
    practice's `stakeholder_baseline_days`."""
    return {
        "due_after_sessions": None, "due_on": today,
        "closes_on": today + timedelta(days=require_practice().stakeholder_baseline_days),
    }


def schedule_points(*, version: ContractVersion) -> list[MeasurementPoint]:
    """The contract version has just come into force (called inside contracting's transaction).

    First version: the coaching starts. The mid- and end-point are created from it, and the
    stakeholders' baseline round too if it asks for one (it falls due at once: nominees named
    while it is open are invited as they are named). An accepted amendment: every open point moves
    to the new version (its ratings follow their objectives, matched by position), and a point not
    yet due and never moved by the coach takes the new version's default due rule. Closed points
    keep the version they were rated against."""
    rules = default_due_rules(version)
    points = {point.kind: point for point in MeasurementPoint.objects.select_for_update().filter(engagement_id=version.engagement_id)}
    if not points and version.stakeholder_baseline:
        rules = {MeasurementPoint.Kind.BASELINE: baseline_round_rule(timezone.localdate()), **rules}
    new_objectives = {objective.position: objective for objective in version.objectives.all()}
    for kind in POINT_ORDER:
        point, rule = points.get(kind), rules.get(kind)
        if point is None:
            if rule is not None:
                points[kind] = MeasurementPoint.objects.create(
                    engagement_id=version.engagement_id, version=version, kind=kind, **rule,
                )
            continue
        if point.is_closed or point.version_id == version.pk:
            continue
        previous_version_id = point.version_id
        point.version = version
        fields = ["version", "updated_at"]
        if rule is not None and point.fell_due_at is None and not point.moves.exists():
            point.due_after_sessions, point.due_on = rule["due_after_sessions"], rule["due_on"]
            fields += ["due_after_sessions", "due_on"]
        point.save(update_fields=fields)
        for rating in Rating.objects.select_for_update().filter(point=point, objective__version_id=previous_version_id).select_related("objective"):
            match = new_objectives.get(rating.objective.position)
            if match is not None and rating.role in match.raters:
                rating.objective = match
                rating.save(update_fields=["objective", "updated_at"])
    # With sessions already held (an amendment), a point may be due straight away.
    engagement = Engagement.objects.get(pk=version.engagement_id)
    mark_points_due(engagement=engagement)
    return [points[kind] for kind in rules]


def _reached(point: MeasurementPoint, held: int, today: date) -> bool:
    return (point.due_after_sessions is not None and held >= point.due_after_sessions) or (
        point.due_on is not None and today >= point.due_on
    )


def mark_points_due(*, engagement: Engagement, now: datetime | None = None) -> list[MeasurementPoint]:
    """Open points of the engagement whose session count is reached or whose date has come fall
    due (raters may rate from then on). Returns the points that fell due just now. The caller holds
    the engagement's lock (engagements/locking.py)."""
    now = now or timezone.now()
    pending = list(
        MeasurementPoint.objects.select_for_update().filter(engagement=engagement, closed_at__isnull=True, fell_due_at__isnull=True)
    )
    if not pending:
        return []
    held, today = sessions_held(engagement.pk), timezone.localdate(now)
    fallen = []
    for point in pending:
        if _reached(point, held, today):
            point.fell_due_at = now
            point.save(update_fields=["fell_due_at", "updated_at"])
            fallen.append(point)
            if point.parties_rate:
                # A baseline round still open closes first: the baseline is what the stakeholders saw
                # before the coaching moved on, and nominees get one round at a time.
                close_baseline_rounds(engagement=engagement, now=now, due_only=False)
            publish(PointFellDue(point=point))
    return fallen


def mark_points_due_today(*, practice: Practice | None = None, now: datetime | None = None) -> int:
    """The sweep for a practice (default: the current one): points whose date has come (or whose
    sessions were held without passing through the log) fall due. Each engagement is its own short
    transaction; one that fails is logged and the others still fall due. Returns how many fell due."""
    practice = practice or require_practice()
    now = now or timezone.now()
    with practice_context(practice):
        engagement_ids = sorted(set(
            MeasurementPoint.objects.filter(
                closed_at__isnull=True, fell_due_at__isnull=True, engagement__stage=Engagement.Stage.ACTIVE
            ).values_list("engagement_id", flat=True)
        ))

    def fall_due(engagement: Engagement) -> int:
        if engagement.stage != Engagement.Stage.ACTIVE:  # completed since it was listed
            return 0
        return len(mark_points_due(engagement=engagement, now=now))

    return sum(sweep_engagements(practice, engagement_ids, fall_due, sweep="measurement points falling due"))


@transaction.atomic
def move_point(
    *, point: MeasurementPoint, actor, reason: str, after_sessions: int | None = None, due_on: date | None = None,
) -> MeasurementPoint:
    """The coach moves an open point to another session count and/or date, saying why. It cannot be
    moved to before the last session already held, nor once raters have started rating it."""
    point = coach_point(point, actor)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if point.is_closed:
        raise ValidationError(f"The {point.get_kind_display().lower()} is closed: it can no longer be moved.")
    if point.closes_on is not None:
        raise ValidationError(
            f"The {point.get_kind_display().lower()} opened when the coaching started and closes by itself on "
            f"{point.closes_on.day} {point.closes_on:%B %Y}: it cannot be moved (close it earlier if you need to)."
        )
    if point.ratings.exists():
        raise ValidationError(
            f"Raters have started rating the {point.get_kind_display().lower()}: it can no longer be moved. Close it instead."
        )
    if not reason:
        errors["reason"] = ["Say why the point moves: the reason is kept with it."]
    elif len(reason) > 1000:
        errors["reason"] = ["Keep the reason under 1,000 characters."]
    if after_sessions is None and due_on is None:
        errors["after_sessions"] = ["Give a number of sessions, a date, or both."]
    held = sessions_held(point.engagement_id)
    if after_sessions is not None:
        if after_sessions < 1:
            errors.setdefault("after_sessions", []).append("Give at least one session.")
        elif after_sessions > point.version.sessions:
            errors.setdefault("after_sessions", []).append(
                f"The contract has {point.version.sessions} sessions: choose {point.version.sessions} or fewer "
                "(more sessions need an amended contract)."
            )
        elif after_sessions < held:
            errors.setdefault("after_sessions", []).append(
                f"{held} sessions have already been held: the point cannot move to before the last session held "
                f"(choose {held} or more)."
            )
        other = MeasurementPoint.objects.filter(
            engagement_id=point.engagement_id, kind__in=RATED_KINDS,
        ).exclude(pk=point.pk).first()
        if other is not None and other.due_after_sessions is not None:
            if point.kind == MeasurementPoint.Kind.MID and after_sessions > other.due_after_sessions:
                errors.setdefault("after_sessions", []).append(
                    f"The mid-point cannot come after the end-point (after {other.due_after_sessions} sessions)."
                )
            if point.kind == MeasurementPoint.Kind.END and after_sessions < other.due_after_sessions and not other.is_closed:
                errors.setdefault("after_sessions", []).append(
                    f"The end-point cannot come before the mid-point (after {other.due_after_sessions} sessions)."
                )
    if due_on is not None:
        last = last_held_session_date(point.engagement_id)
        if last is not None and due_on < last:
            errors.setdefault("due_on", []).append(
                f"The last session was held on {last.day} {last:%B %Y}: the point cannot move to before it."
            )
    if errors:
        raise ValidationError(errors)
    PointMove.objects.create(
        point=point, moved_by=actor, from_after_sessions=point.due_after_sessions, from_due_on=point.due_on,
        to_after_sessions=after_sessions, to_due_on=due_on, reason=reason,
    )
    point.due_after_sessions, point.due_on, point.fell_due_at = after_sessions, due_on, None
    point.save(update_fields=["due_after_sessions", "due_on", "fell_due_at", "updated_at"])
    publish(PointMoved(point=point))
    audit.record(actor=actor, action="measurement_point.moved", subject=point,
                 after_sessions=after_sessions, due_on=due_on.isoformat() if due_on else None)
    mark_points_due(engagement=point.engagement)
    point.refresh_from_db()
    return point
