"""Stakeholder results, as anyone may read them (coachee, coach, sponsor, admin alike), computed in
one place so that no page, PDF, CSV, email or API answer can show who said what:

- results exist only for closed points: while a point is open, answers come and change, and a page
  compared before and after one more answer would tell that answer; until it closes, coachee and
  coach see only how many have answered in each group;
- a group is shown (its mean per objective) only from its minimum number of responses (the
  contract's); groups below it are merged into "Other stakeholders" when together they reach the
  minimum, otherwise each reads "not enough responses to show";
- the "Stakeholders" series is the mean of the shown groups' means, n the responses they count;
- comments come only from shown groups, without names, in an order drawn from their text (a keyed
  hash), never the order they were given in.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Prefetch

from measurement.models import (
    MeasurementPoint,
    Nominee,
    StakeholderResponse,
    StakeholderScore,
)

OTHER = "Other stakeholders"
NOT_ENOUGH = "not enough responses to show"
CENT = Decimal("0.01")


def series_label(n: int) -> str:
    return f"Stakeholders (n={n})"


@dataclass
class GroupLine:
    name: str
    shown: bool
    responses: int = 0  # counted, for shown lines only (a hidden group's count is not shown with results)
    means: dict[int, Decimal | None] = field(default_factory=dict)  # objective position → mean
    merged: list[str] = field(default_factory=list)  # for "Other stakeholders": the groups it holds

    @property
    def text(self) -> str:
        return "" if self.shown else NOT_ENOUGH


@dataclass
class PointStakeholders:
    """One point's stakeholder feedback, as everyone with access to the progress may read it."""

    point_id: int
    closed: bool
    minimum: int
    groups: list[GroupLine]
    n: int
    means: dict[int, Decimal | None]
    comments: list[str]
    # While open: answers so far per group (coachee and coach); named per group.
    answered: dict[str, int]
    named: dict[str, int]

    @property
    def label(self) -> str:
        return series_label(self.n)

    @property
    def response_rate(self) -> str:
        named, answered = sum(self.named.values()), sum(self.answered.values())
        return f"{answered} of {named}" if named else "nobody named"

    @property
    def shown_groups(self) -> list[GroupLine]:
        return [group for group in self.groups if group.shown]

    def mean(self, position: int) -> Decimal | None:
        return self.means.get(position)


def _mean(values: list) -> Decimal | None:
    values = [Decimal(v) for v in values if v is not None]
    return (sum(values) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP) if values else None


def _comment_order(point_id: int, text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{point_id}|{text}".encode(), hashlib.sha256).hexdigest()


def assess_groups(
    *, point_id: int, groups: list[str], minimum: int, responses: list[tuple[str, dict[int, int | None], str]],
) -> tuple[list[GroupLine], int, dict[int, Decimal | None], list[str]]:
    """The plain rule over (group, {objective position: score or None}, comment) answers: the lines
    shown, n, the stakeholder mean per objective, and the comments to show."""
    by_group: dict[str, list[tuple[dict[int, int | None], str]]] = {}
    for group, scores, comment in responses:
        by_group.setdefault(group, []).append((scores, comment))
    names = list(groups) + [name for name in by_group if name not in groups]
    positions = sorted({position for _, scores, _ in responses for position in scores})

    def line(name: str, answers: list, merged: list[str] | None = None) -> GroupLine:
        return GroupLine(
            name=name, shown=True, responses=len(answers), merged=merged or [],
            means={position: _mean([scores.get(position) for scores, _ in answers]) for position in positions},
        )

    lines, shown_answers, small = [], [], []
    for name in names:
        answers = by_group.get(name, [])
        if len(answers) >= minimum:
            lines.append(line(name, answers))
            shown_answers += answers
        else:
            small.append(name)
    merged = [answer for name in small for answer in by_group.get(name, [])]
    if small and len(merged) >= minimum:
        lines.append(line(OTHER, merged, merged=[name for name in small if by_group.get(name)]))
        shown_answers += merged
        small = [name for name in small if not by_group.get(name)]
    lines += [GroupLine(name=name, shown=False) for name in small]
    shown = [group for group in lines if group.shown]
    means = {position: _mean([group.means.get(position) for group in shown]) for position in positions}
    comments = sorted((comment for _, comment in shown_answers if comment), key=lambda text: _comment_order(point_id, text))
    return lines, sum(group.responses for group in shown), means, comments


def _with_scores() -> Prefetch:
    """Each answer's scores with the objectives they rate, in one query (built per call: the
    manager scopes it to the current practice)."""
    return Prefetch("scores", queryset=StakeholderScore.objects.select_related("objective"))


def stakeholder_results(points: list[MeasurementPoint]) -> dict[int, PointStakeholders]:
    """Each point's stakeholder feedback (points of one engagement, their versions loaded): three
    queries, whatever the number of nominees and answers."""
    if not points:
        return {}
    engagement_id = points[0].engagement_id
    named: dict[str, int] = dict(
        Nominee.objects.filter(engagement_id=engagement_id).values_list("group").annotate(n=Count("pk")).order_by()
    )
    responses: dict[int, list] = {}
    rows = StakeholderResponse.objects.filter(point__in=points).prefetch_related(_with_scores()).order_by("group")
    for response in rows:
        responses.setdefault(response.point_id, []).append(response)
    results = {}
    for point in points:
        version = point.version
        given = responses.get(point.pk, [])
        answered: dict[str, int] = {}
        for response in given:
            answered[response.group] = answered.get(response.group, 0) + 1
        if point.is_closed:
            answers = [
                (r.group, {s.objective.position: s.score for s in r.scores.all()}, r.comment) for r in given
            ]
            lines, n, means, comments = assess_groups(
                point_id=point.pk, groups=list(version.stakeholder_groups), minimum=version.stakeholder_min_responses,
                responses=answers,
            )
        else:
            lines, n, means, comments = [], 0, {}, []
        results[point.pk] = PointStakeholders(
            point_id=point.pk, closed=point.is_closed, minimum=version.stakeholder_min_responses, groups=lines, n=n,
            means=means, comments=comments,
            answered={g: answered.get(g, 0) for g in version.stakeholder_groups} | answered,
            named={g: named.get(g, 0) for g in version.stakeholder_groups} | named,
        )
    return results


def closing_means(point: MeasurementPoint) -> tuple[dict[int, Decimal | None], int]:
    """The stakeholder mean per objective (position) the point will show once closed, and its n: what
    the on/off-track rule counts as one more rater when the practice says so."""
    answers = [
        (r.group, {s.objective.position: s.score for s in r.scores.all()}, r.comment)
        for r in StakeholderResponse.objects.filter(point=point).prefetch_related(_with_scores())
    ]
    _, n, means, _ = assess_groups(
        point_id=point.pk, groups=list(point.version.stakeholder_groups),
        minimum=point.version.stakeholder_min_responses, responses=answers,
    )
    return means, n
