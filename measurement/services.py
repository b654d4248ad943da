"""Writes for measurement (journey steps 5–6): points scheduled from the contract in force, moved
by the coach, falling due, rated by the contract's raters, closed with the computed status, and
the engagement completed with its final report.

Each service is one transaction and says why it refuses (ValidationError, with the field where
there is one). A point or engagement the actor may not touch raises its model's DoesNotExist,
exactly as a missing one would (the pages answer 404). Ratings of one point are serialised by a
row lock on the point, so two raters submitting at the same instant both land and the second sees
the first when deciding whether everyone has rated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from coachhub.tenancy import audit
from coachhub.tenancy.context import practice_context, require_practice
from coachhub.tenancy.events import publish
from coachhub.tenancy.models import Practice
from engagements.access import COACH, require_relation
from engagements.locking import lock_engagement, sweep_engagements
from engagements.models import ContractVersion, Engagement, Objective
from measurement import compute
from measurement.events import EngagementCompleted, PointClosed, PointFellDue, PointMoved, RatingSubmitted
from measurement.selectors import grace_ends_at, missing_raters, sessions_held
from measurement.models import (
    MeasurementPoint,
    ObjectiveResult,
    PointMove,
    Rating,
    RatingRevision,
)
from sessions.models import Attendance, CoachingSession

COMMENT_MAX_LENGTH = 2000


# --- Facts the rules need ------------------------------------------------------------------------------


def last_held_session_date(engagement_id: int) -> date | None:
    last = (
        CoachingSession.objects.filter(engagement_id=engagement_id, attendance=Attendance.HELD)
        .order_by("-booking__starts_at").values_list("booking__starts_at", flat=True).first()
    )
    return timezone.localdate(last) if last else None


# --- Scheduling -----------------------------------------------------------------------------------------


def default_due_rules(version: ContractVersion) -> dict[str, dict]:
    """Mid: after ceil(sessions × mid_point_percent %) sessions held. End: after the last session,
    or on the end date, whichever comes first."""
    practice = require_practice()
    mid_sessions = max(1, math.ceil(version.sessions * practice.mid_point_percent / 100))
    return {
        MeasurementPoint.Kind.MID: {"due_after_sessions": min(mid_sessions, version.sessions), "due_on": None},
        MeasurementPoint.Kind.END: {"due_after_sessions": version.sessions, "due_on": version.end_date},
    }


def schedule_points(*, version: ContractVersion) -> list[MeasurementPoint]:
    """The contract version has just come into force (called inside contracting's transaction).

    First version: the mid- and end-point are created from it. An accepted amendment: every open
    point moves to the new version (its ratings follow their objectives, matched by position), and
    a point not yet due and never moved by the coach takes the new version's default due rule.
    Closed points keep the version they were rated against."""
    rules = default_due_rules(version)
    points = {point.kind: point for point in MeasurementPoint.objects.select_for_update().filter(engagement_id=version.engagement_id)}
    new_objectives = {objective.position: objective for objective in version.objectives.all()}
    for kind, rule in rules.items():
        point = points.get(kind)
        if point is None:
            points[kind] = MeasurementPoint.objects.create(engagement_id=version.engagement_id, version=version, kind=kind, **rule)
            continue
        if point.is_closed or point.version_id == version.pk:
            continue
        previous_version_id = point.version_id
        point.version = version
        fields = ["version", "updated_at"]
        if point.fell_due_at is None and not point.moves.exists():
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


# --- Moving a point ------------------------------------------------------------------------------------


def _coach_point(point: MeasurementPoint, actor) -> MeasurementPoint:
    lock_engagement(point.engagement_id)  # the lock order: engagement, then its points
    point = (
        MeasurementPoint.objects.select_for_update(of=("self",))
        .select_related("engagement", "version", "version__coachee", "version__coach", "version__sponsor")
        .get(pk=point.pk)
    )
    require_relation(actor, point.engagement, COACH)
    return point


@transaction.atomic
def move_point(
    *, point: MeasurementPoint, actor, reason: str, after_sessions: int | None = None, due_on: date | None = None,
) -> MeasurementPoint:
    """The coach moves an open point to another session count and/or date, saying why. It cannot be
    moved to before the last session already held, nor once raters have started rating it."""
    point = _coach_point(point, actor)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if point.is_closed:
        raise ValidationError(f"The {point.get_kind_display().lower()} is closed: it can no longer be moved.")
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
        other = MeasurementPoint.objects.filter(engagement_id=point.engagement_id).exclude(pk=point.pk).first()
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
    audit.record(actor=actor, action="measurement_point.moved", subject=str(point),
                 after_sessions=after_sessions, due_on=due_on.isoformat() if due_on else None)
    mark_points_due(engagement=point.engagement)
    point.refresh_from_db()
    return point


# --- Rating ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rated:
    """What rating did: the rater's ratings, how many changed, and whether the point closed."""

    ratings: list[Rating]
    changed: int
    closed: bool


def _rater_point(point: MeasurementPoint, rater) -> tuple[MeasurementPoint, str, list[Objective]]:
    """The point, locked, the rater's role and the objectives they rate. DoesNotExist for anyone
    who rates nothing at this point (not a party, or a party who rates no objective)."""
    lock_engagement(point.engagement_id)  # the lock order: engagement, then its points
    point = (
        MeasurementPoint.objects.select_for_update(of=("self",))
        .select_related("engagement", "version", "version__coachee", "version__coach", "version__sponsor")
        .get(pk=point.pk)
    )
    role = point.version.role_of(rater)
    objectives = [objective for objective in point.version.objectives.all() if role in objective.raters] if role else []
    if not objectives:
        raise MeasurementPoint.DoesNotExist
    return point, role, objectives


def _field(objective: Objective, name: str) -> str:
    return f"objective_{objective.pk}_{name}"


@transaction.atomic
def rate_point(*, point: MeasurementPoint, rater, answers: dict[int, tuple[int | None, str]], now: datetime | None = None) -> Rated:
    """A rater rates every objective they rate at a due, open point: `answers` maps objective id
    to (score 1–10, comment). Submitting again corrects the ratings until the point closes; every
    change is kept as a RatingRevision. When every rater has rated everything, the point closes."""
    now = now or timezone.now()
    point, role, objectives = _rater_point(point, rater)
    if point.is_closed:
        raise ValidationError(
            f"The {point.get_kind_display().lower()} was closed on {_when(point.closed_at)}: "
            "ratings can no longer be given or changed."
        )
    if point.fell_due_at is None:
        raise ValidationError(f"The {point.get_kind_display().lower()} is not due yet: it can be rated once it falls due.")
    if point.engagement.stage != Engagement.Stage.ACTIVE:
        raise ValidationError(f"The engagement is {point.engagement.get_stage_display().lower()}: its points can no longer be rated.")
    errors: dict[str, list[str]] = {}
    for objective in objectives:
        score, comment = answers.get(objective.pk, (None, ""))
        if score is None:
            errors[_field(objective, "score")] = [f"Rate objective {objective.position} from {Objective.SCALE_MIN} to {Objective.SCALE_MAX}."]
        elif not isinstance(score, int) or not Objective.SCALE_MIN <= score <= Objective.SCALE_MAX:
            errors[_field(objective, "score")] = [f"A rating is a whole number from {Objective.SCALE_MIN} to {Objective.SCALE_MAX}."]
        if len(comment or "") > COMMENT_MAX_LENGTH:
            errors[_field(objective, "comment")] = [f"Keep the comment under {COMMENT_MAX_LENGTH:,} characters."]
    if errors:
        raise ValidationError(errors)
    existing = {rating.objective_id: rating for rating in Rating.objects.select_for_update().filter(point=point, role=role)}
    saved, changed = [], 0
    for objective in objectives:
        score, comment = answers[objective.pk]
        comment = (comment or "").replace("\r\n", "\n").strip()
        rating = existing.get(objective.pk)
        if rating is None:
            rating = Rating.objects.create(point=point, objective=objective, rater=rater, role=role, score=score, comment=comment)
        elif (rating.score, rating.comment) != (score, comment):
            rating.score, rating.comment, rating.rater = score, comment, rater
            rating.save(update_fields=["score", "comment", "rater", "updated_at"])
        else:
            saved.append(rating)
            continue
        RatingRevision.objects.create(rating=rating, changed_by=rater, score=score, comment=comment)
        saved.append(rating)
        changed += 1
    if changed:
        audit.record(actor=rater, action="measurement_point.rated", subject=str(point), role=role, changed=changed)
        publish(RatingSubmitted(point=point))
    closed = False
    if not missing_raters(point):
        _close(point, closed_by=None, now=now)
        closed = True
    return Rated(ratings=saved, changed=changed, closed=closed)


# --- Closing ------------------------------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    """"2 December 2026 at 14:05", in the reader's time zone (the one active for the request)."""
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y at %H:%M}"


def point_input(point: MeasurementPoint, *, held: int) -> compute.PointInput:
    """The plain inputs of the rule, read from the point's version and ratings."""
    objectives = list(point.version.objectives.all())
    by_objective: dict[int, dict[str, int]] = {}
    for objective_id, role, score in Rating.objects.filter(point=point).values_list("objective_id", "role", "score"):
        by_objective.setdefault(objective_id, {})[role] = score
    return compute.PointInput(
        kind=point.kind, sessions_held=held, sessions_contracted=point.version.sessions,
        tolerance=require_practice().on_track_tolerance,
        objectives=tuple(
            compute.ObjectiveInput(
                key=objective.pk, position=objective.position, baseline=objective.baseline, target=objective.target,
                raters=tuple(objective.raters), ratings=by_objective.get(objective.pk, {}),
            )
            for objective in objectives
        ),
    )


def _close(point: MeasurementPoint, *, closed_by, now: datetime) -> MeasurementPoint:
    outcome = compute.assess_point(point_input(point, held=sessions_held(point.engagement_id)))
    ObjectiveResult.objects.bulk_create(
        ObjectiveResult(
            practice=require_practice(), point=point, objective_id=result.key, score=result.score,
            expected=result.expected, status=result.status, reason=result.reason,
        )
        for result in outcome.objectives
    )
    missing = missing_raters(point)
    point.computation = {**outcome.computation, "missing_raters": [role for role, _ in missing]}
    point.status, point.status_reason = outcome.status, outcome.reason
    point.closed_at, point.closed_by = now, closed_by
    point.save(update_fields=["status", "status_reason", "computation", "closed_at", "closed_by", "updated_at"])
    publish(PointClosed(point=point))
    audit.record(actor=closed_by, action="measurement_point.closed", subject=str(point), status=point.status,
                 missing=[role for role, _ in missing])
    _render_progress_later(point.engagement_id)
    return point


@transaction.atomic
def close_point(*, point: MeasurementPoint, actor, now: datetime | None = None) -> MeasurementPoint:
    """The coach closes a due point: at once when every rater has rated, otherwise once the grace
    period (practice setting) has passed since it fell due. Missing raters are recorded."""
    now = now or timezone.now()
    point = _coach_point(point, actor)
    if point.is_closed:
        raise ValidationError(f"The {point.get_kind_display().lower()} is already closed.")
    if point.fell_due_at is None:
        raise ValidationError(f"The {point.get_kind_display().lower()} is not due yet: it cannot be closed.")
    missing = missing_raters(point)
    grace_end = grace_ends_at(point)
    if missing and now < grace_end:
        names = ", ".join(f"{user.get_full_name()} ({role})" for role, user in missing)
        raise ValidationError(
            f"Still to rate: {names}. They have until {_when(grace_end)} "
            "before the point can be closed without them."
        )
    return _close(point, closed_by=actor, now=now)


@transaction.atomic
def comment_on_point(*, point: MeasurementPoint, actor, comment: str) -> MeasurementPoint:
    """The coach's comment on a point (the computed status itself is never edited)."""
    point = _coach_point(point, actor)
    comment = (comment or "").replace("\r\n", "\n").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError({"comment": [f"Keep the comment under {COMMENT_MAX_LENGTH:,} characters."]})
    point.coach_comment = comment
    point.save(update_fields=["coach_comment", "updated_at"])
    audit.record(actor=actor, action="measurement_point.commented", subject=str(point))
    _render_progress_later(point.engagement_id)
    return point


# --- Completion ------------------------------------------------------------------------------------------------


@transaction.atomic
def complete_engagement(*, engagement: Engagement, actor, now: datetime | None = None) -> Engagement:
    """The coach completes the engagement once its end-point is closed: it moves to completed (the
    contract's retention period runs from `completed_at`) and the final report is rendered."""
    now = now or timezone.now()
    engagement = lock_engagement(engagement.pk)
    require_relation(actor, engagement, COACH)
    if engagement.stage != Engagement.Stage.ACTIVE:
        raise ValidationError(f"This engagement is {engagement.get_stage_display().lower()}, not active: it cannot be completed.")
    end = MeasurementPoint.objects.filter(engagement=engagement, kind=MeasurementPoint.Kind.END).first()
    if end is None or not end.is_closed:
        raise ValidationError("Close the end-point evaluation first: the final report states its outcome.")
    # A point still open that someone rated closes with what it has (its missing raters recorded);
    # one nobody rated stays unmeasured rather than read as off track.
    still_open = MeasurementPoint.objects.select_for_update().filter(
        engagement=engagement, closed_at__isnull=True, fell_due_at__isnull=False,
    ).filter(Exists(Rating.objects.filter(point=OuterRef("pk"))))
    for point in still_open:
        _close(point, closed_by=actor, now=now)
    engagement.stage, engagement.completed_at = Engagement.Stage.COMPLETED, now
    engagement.save(update_fields=["stage", "completed_at", "updated_at"])
    audit.record(actor=actor, action="engagement.completed", subject=str(engagement), outcome=end.status)
    publish(EngagementCompleted(engagement=engagement))
    _render_progress_later(engagement.pk)
    return engagement


def _render_progress_later(engagement_id: int) -> None:
    from measurement.tasks import render_progress_pdf

    render_progress_pdf.delay_on_commit(engagement_id=engagement_id)
