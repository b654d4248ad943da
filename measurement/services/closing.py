"""Closing measurement points with their computed status (journey step 6) — and a stakeholder
baseline round, by itself on its date or before the next point falls due — the coach's comment on a
point, and completing the engagement with its final report."""

from __future__ import annotations

from datetime import datetime

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
from engagements.models import Engagement
from measurement import compute
from measurement.events import EngagementCompleted, PointClosed
from measurement.models import MeasurementPoint, ObjectiveResult, Rating
from measurement.selectors import grace_ends_at, missing_raters, point_input, sessions_held
from measurement.services.points import coach_point
from measurement.stakeholders.answers import seal_answers
from measurement.stakeholders.results import closing_means

COMMENT_MAX_LENGTH = 2000


def local_moment(moment: datetime) -> str:
    """"2 December 2026 at 14:05", in the reader's time zone (the one active for the request)."""
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y at %H:%M}"


def close_with_status(point: MeasurementPoint, *, closed_by, now: datetime, missing: list) -> MeasurementPoint:
    """Close the point (its lock held) with the status computed from its ratings; missing raters are
    recorded. A baseline round closes with what the stakeholders' answers show (no verdict)."""
    if point.parties_rate:
        outcome = compute.assess_point(point_input(point, held=sessions_held(point.engagement_id)))
    else:
        outcome = compute.assess_baseline(responses=closing_means(point)[1], minimum=point.version.stakeholder_minimum)
    ObjectiveResult.objects.bulk_create(
        ObjectiveResult(
            practice=require_practice(), point=point, objective_id=result.key, score=result.score,
            expected=result.expected, status=result.status, reason=result.reason,
        )
        for result in outcome.objectives
    )
    point.computation = {**outcome.computation, "missing_raters": [role for role, _ in missing]}
    point.status, point.status_reason = outcome.status, outcome.reason
    # Sealed while the point is still open: once closed, the database refuses to write its answers.
    seal_answers(point, at=now)
    point.closed_at, point.closed_by = now, closed_by
    point.save(update_fields=["status", "status_reason", "computation", "closed_at", "closed_by", "updated_at"])
    publish(PointClosed(point=point))
    audit.record(actor=closed_by, action="measurement_point.closed", subject=point, status=point.status,
                 missing=[role for role, _ in missing])
    _render_progress_later(point.engagement_id)
    return point


@transaction.atomic
def close_point(*, point: MeasurementPoint, actor, now: datetime | None = None) -> MeasurementPoint:
    """The coach closes a due point: at once when every rater has rated, otherwise once the grace
    period (practice setting) has passed since it fell due. Missing raters are recorded."""
    now = now or timezone.now()
    point = coach_point(point, actor)
    if point.is_closed:
        raise ValidationError(f"The {point.get_kind_display().lower()} is already closed.")
    if point.fell_due_at is None:
        raise ValidationError(f"The {point.get_kind_display().lower()} is not due yet: it cannot be closed.")
    missing = missing_raters(point)
    grace_end = grace_ends_at(point)
    if missing and now < grace_end:
        names = ", ".join(f"{user.get_full_name()} ({role})" for role, user in missing)
        raise ValidationError(
            f"Still to rate: {names}. They have until {local_moment(grace_end)} "
            "before the point can be closed without them."
        )
    return close_with_status(point, closed_by=actor, now=now, missing=missing)


def close_baseline_rounds(*, engagement: Engagement, now: datetime, due_only: bool = True) -> list[MeasurementPoint]:
    """The engagement's open baseline round closes by itself (closed by nobody): on its closing date,
    or — `due_only` off — because a later point has fallen due, so that the baseline stays what the
    stakeholders saw before. The caller holds the engagement's lock."""
    rounds = MeasurementPoint.objects.select_for_update(of=("self",)).select_related("engagement", "version").filter(
        engagement=engagement, kind=MeasurementPoint.Kind.BASELINE, closed_at__isnull=True, fell_due_at__isnull=False,
    )
    if due_only:
        rounds = rounds.filter(closes_on__lte=timezone.localdate(now))
    return [close_with_status(point, closed_by=None, now=now, missing=[]) for point in rounds]


def close_baseline_rounds_today(*, practice: Practice | None = None, now: datetime | None = None) -> int:
    """The sweep for a practice (default: the current one): baseline rounds whose closing date has
    come close, each engagement in its own short transaction (engagements/locking.py). Returns how
    many closed."""
    practice = practice or require_practice()
    now = now or timezone.now()
    with practice_context(practice):
        engagement_ids = sorted(set(
            MeasurementPoint.objects.filter(
                kind=MeasurementPoint.Kind.BASELINE, closed_at__isnull=True, fell_due_at__isnull=False,
                closes_on__lte=timezone.localdate(now), engagement__stage=Engagement.Stage.ACTIVE,
            ).values_list("engagement_id", flat=True)
        ))
    return sum(sweep_engagements(
        practice, engagement_ids, lambda engagement: len(close_baseline_rounds(engagement=engagement, now=now)),
        sweep="baseline rounds closing",
    ))


@transaction.atomic
def comment_on_point(*, point: MeasurementPoint, actor, comment: str) -> MeasurementPoint:
    """The coach's comment on a point (the computed status itself is never edited)."""
    point = coach_point(point, actor)
    comment = (comment or "").replace("\r\n", "\n").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError({"comment": [f"Keep the comment under {COMMENT_MAX_LENGTH:,} characters."]})
    point.coach_comment = comment
    point.save(update_fields=["coach_comment", "updated_at"])
    audit.record(actor=actor, action="measurement_point.commented", subject=point)
    _render_progress_later(point.engagement_id)
    return point


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
        close_with_status(point, closed_by=actor, now=now, missing=missing_raters(point))
    engagement.stage, engagement.completed_at = Engagement.Stage.COMPLETED, now
    engagement.save(update_fields=["stage", "completed_at", "updated_at"])
    audit.record(actor=actor, action="engagement.completed", subject=engagement, outcome=end.status)
    publish(EngagementCompleted(engagement=engagement))
    _render_progress_later(engagement.pk)
    return engagement


def _render_progress_later(engagement_id: int) -> None:
    from measurement.tasks import render_progress_pdf

    render_progress_pdf.delay_on_commit(engagement_id=engagement_id)
