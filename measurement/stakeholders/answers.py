"""A nominee's answer through their link: each objective marked for stakeholders rated 1–10 or
"can't say", and one optional comment; changeable while the point is open. Closing the point seals
its answers (`seal_answers`): each keeps the group it is shown in, its scores and its comment, and
nothing that could tell whose it was."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from coachhub.tenancy.context import require_practice
from coachhub.tenancy.events import publish
from engagements.models import Objective
from measurement.events import StakeholderAnswered
from measurement.models import MeasurementPoint, Nominee, StakeholderResponse, StakeholderScore
from measurement.stakeholders.links import Invitation, LinkRefused
from measurement.stakeholders.results import sealed_groups

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


def seal_answers(point: MeasurementPoint, *, at: datetime) -> int:
    """At closing, before the point is marked closed (the database refuses answers to a closed point):
    the point's answers are filed again, so that nothing stored joins one to its nominee.

    Each is filed under the group it is shown in (results.sealed_groups): a line manager's answer, or
    one of a group too small to show, under "Other stakeholders" or withheld, never under a group whose
    one or two people the coachee named.

    Each answer is deleted and written anew, without its nominee, in an order that follows its content
    (group, comment, scores), never the order of answering or of nominees: new ids tell nothing. Its
    times become the point's closing time, the finest grain kept once the point closes (while it is
    open the answer names its nominee anyway, so finer times there add nothing). Written in this
    transaction, the rows carry its id in `xmin` rather than the answering one, which the reminders
    outbox or the nominee's row could share. The nominees' rows are written again for the same
    reason: inserting an answer locked its nominee's row (the foreign key's check), which leaves the
    answering transaction's id in that row's `xmax`. Returns how many answers there were."""
    responses = StakeholderResponse.objects.filter(point=point)
    given = list(responses.prefetch_related("scores"))
    filed = sealed_groups(dict(Counter(response.group for response in given)), minimum=point.version.stakeholder_minimum)
    answers = sorted(
        (
            filed[response.group], response.comment,
            tuple(sorted((s.objective_id, s.score is None, s.score or 0) for s in response.scores.all())),
        )
        for response in given
    )
    responses.delete()
    practice = require_practice()
    sealed = StakeholderResponse.objects.bulk_create(
        StakeholderResponse(practice=practice, point=point, group=group, comment=comment) for group, comment, _ in answers
    )
    StakeholderScore.objects.bulk_create(
        StakeholderScore(practice=practice, response=response, objective_id=objective_id, score=None if cant_say else score)
        for response, (_, _, scores) in zip(sealed, answers)
        for objective_id, cant_say, score in scores
    )
    # auto_now stamps the time of writing; the point's closing time replaces it.
    responses.update(created_at=at, updated_at=at)
    StakeholderScore.objects.filter(response__point=point).update(created_at=at, updated_at=at)
    Nominee.objects.filter(engagement_id=point.engagement_id).update(updated_at=at)
    return len(sealed)
