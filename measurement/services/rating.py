"""Rating a measurement point: each of the contract's raters rates the objectives they rate, and
may correct the ratings until the point closes. Ratings of one point are serialised by a row lock
on the point, so two raters submitting at the same instant both land and the second sees the first
when deciding whether everyone has rated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coachhub.tenancy import audit
from coachhub.tenancy.events import publish
from engagements.access import party_role
from engagements.locking import lock_engagement
from engagements.models import Engagement, Objective
from measurement.events import RatingSubmitted
from measurement.models import MeasurementPoint, Rating, RatingRevision
from measurement.selectors import missing_raters
from measurement.services.closing import COMMENT_MAX_LENGTH, close_with_status, local_moment


@dataclass(frozen=True)
class Rated:
    """What rating did: the rater's ratings, how many changed, and whether the point closed."""

    ratings: list[Rating]
    changed: int
    closed: bool


def _rater_point(point: MeasurementPoint, rater) -> tuple[MeasurementPoint, str, list[Objective]]:
    """The point, locked, the rater's role and the objectives they rate. DoesNotExist for anyone
    who rates nothing at this point (not a party, a party who rates no objective, or any party at a
    baseline round, which only the stakeholders answer)."""
    lock_engagement(point.engagement_id)  # the lock order: engagement, then its points
    point = (
        MeasurementPoint.objects.select_for_update(of=("self",))
        .select_related("engagement", "version", "version__coachee", "version__coach", "version__sponsor")
        .get(pk=point.pk)
    )
    role = party_role(rater, point.version) if point.parties_rate else None
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
            f"The {point.get_kind_display().lower()} was closed on {local_moment(point.closed_at)}: "
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
        audit.record(actor=rater, action="measurement_point.rated", subject=point, role=role, changed=changed)
        publish(RatingSubmitted(point=point))
    closed = False
    # A point with stakeholder feedback stays open for the nominees until the coach closes it (their
    # answers would otherwise be cut off by the last of the parties rating).
    if not missing_raters(point) and not point.version.stakeholder_groups:
        close_with_status(point, closed_by=None, now=now, missing=[])
        closed = True
    return Rated(ratings=saved, changed=changed, closed=closed)
