"""A nominee's answer through their link: each objective marked for stakeholders rated 1–10 or
"can't say", and one optional comment; changeable while the point is open. Closing the point cuts
the nominee from every answer (`cut_nominees`): the answer keeps its group, not its person."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from coachhub.tenancy.context import require_practice
from coachhub.tenancy.events import publish
from engagements.models import Objective
from measurement.events import StakeholderAnswered
from measurement.models import MeasurementPoint, Nominee, StakeholderResponse, StakeholderScore
from measurement.stakeholders.links import Invitation, LinkRefused

COMMENT_MAX_LENGTH = 1000
# Markup in a comment: refused with a message (it would be shown as text anyway, escaped).
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript:", re.IGNORECASE)


def rated_objectives(point: MeasurementPoint) -> list[Objective]:
    return [objective for objective in point.version.objectives.all() if objective.rated_by_stakeholders]


def check_answer(objectives: list[Objective], scores: dict[int, object], comment: str) -> tuple[dict[int, int | None], str]:
    """Clear messages by field (`score_<objective id>`, `comment`); the answer, cleaned."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, int | None] = {}
    for objective in objectives:
        value = scores.get(objective.pk)
        if value in ("", None):
            errors[f"score_{objective.pk}"] = ["Choose a rating from 1 to 10, or “can't say”."]
        elif value == "cant_say":
            cleaned[objective.pk] = None
        else:
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = 0
            if not Objective.SCALE_MIN <= number <= Objective.SCALE_MAX:
                errors[f"score_{objective.pk}"] = ["Ratings run from 1 to 10; or choose “can't say”."]
            else:
                cleaned[objective.pk] = number
    comment = (comment or "").replace("\r\n", "\n").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = [f"Keep the comment to {COMMENT_MAX_LENGTH} characters (it has {len(comment)})."]
    elif MARKUP.search(comment):
        errors["comment"] = ["Please write the comment as plain text, without HTML tags or scripts."]
    if errors:
        raise ValidationError(errors)
    return cleaned, comment


@transaction.atomic
def answer_as_nominee(*, invitation: Invitation, scores: dict[int, object], comment: str) -> StakeholderResponse:
    """Record (or replace) the nominee's answer at the point, if the point is still open."""
    point = MeasurementPoint.objects.select_for_update(of=("self",)).select_related("version").get(pk=invitation.point.pk)
    if point.is_closed:
        raise LinkRefused("This feedback round has closed, so answers can no longer be given or changed. Thank you.", status=410)
    nominee: Nominee = invitation.nominee
    cleaned, comment = check_answer(rated_objectives(point), scores, comment)
    response, _ = StakeholderResponse.objects.update_or_create(
        point=point, nominee=nominee, defaults={"group": nominee.group, "comment": comment},
    )
    response.scores.all().delete()
    practice = require_practice()
    StakeholderScore.objects.bulk_create(
        StakeholderScore(practice=practice, response=response, objective_id=objective_id, score=score)
        for objective_id, score in cleaned.items()
    )
    publish(StakeholderAnswered(point=point, nominee_id=nominee.pk))
    return response


def answer_of(invitation: Invitation) -> StakeholderResponse | None:
    """The nominee's own answer at the point, to show back to them in the form."""
    return StakeholderResponse.objects.prefetch_related("scores").filter(
        point=invitation.point, nominee=invitation.nominee
    ).first()


def cut_nominees(point: MeasurementPoint) -> int:
    """At closing: no answer keeps its person any more."""
    return StakeholderResponse.objects.filter(point=point, nominee__isnull=False).update(nominee=None)
