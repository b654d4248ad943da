"""Stakeholder results, as anyone may read them (coachee, coach, sponsor, admin alike), computed in
one place so that no page, PDF, CSV, email or API answer can show who said what:

- results exist only for closed points: while a point is open, answers come and change, and a page
  compared before and after one more answer would tell that answer; until it closes, coachee and
  coach see only how many have answered in each group;
- a group is shown (its mean per objective) only from its minimum number of responses (the
  contract's, never below 3); groups below it, and the line manager's always (a group of one by
  nature: three "line managers" can only be people the coachee made up), are merged into "Other
  stakeholders", shown when together they reach the minimum; otherwise each reads "not enough
  responses to show";
- a shown group's mean for one objective needs the minimum number of scores too ("can't say" is no
  score): two "can't say" in a group of three would otherwise show the third's own score;
- no differencing: every aggregate shown (the "Stakeholders" series, its n, the live counts and their
  total) is computed only from what is shown beside it, so subtracting one shown figure from another
  never yields a hidden answer or count;
- while a point is open, answers so far are counted per group only for groups at their minimum (never
  the line manager's); the others read "fewer than 3";
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
# Groups of one by nature, never shown on their own (compared as the practice's list spells them, any case).
ALWAYS_MERGED = frozenset({"line manager"})


# Where closing files the answers of groups shown neither alone nor inside "Other stakeholders".
WITHHELD = ""


def shown_alone(group: str) -> bool:
    return " ".join(group.split()).lower() not in ALWAYS_MERGED


def _arrange(answered: dict[str, int], minimum: int) -> tuple[list[str], list[str], bool]:
    """The one grouping rule over answers per group: the groups shown alone, the others, and whether
    those others together make a shown "Other stakeholders" — from the minimum and from two groups at
    least, since one made of line managers' answers alone would be that group under another name."""
    alone = [name for name, n in answered.items() if n >= minimum and shown_alone(name)]
    small = [name for name, n in answered.items() if n and name not in alone]
    return alone, small, sum(answered[name] for name in small) >= minimum and len(small) >= 2


def sealed_groups(answered: dict[str, int], *, minimum: int) -> dict[str, str]:
    """At closing (answers.seal_answers): the group each answer is filed under from then on — its own
    where it is shown alone, "Other stakeholders" where it is merged into that, else WITHHELD. So a
    group of one (the line manager) is never stored apart once the point closes either: a group column
    reading "Line manager" would name its one person to anyone reading the database."""
    alone, small, other_shown = _arrange(answered, minimum)
    return {name: name if name in alone else (OTHER if other_shown else WITHHELD) for name in answered}


def live_counts(answered: dict[str, int], *, groups: list[str], minimum: int) -> dict[str, int | None]:
    """Answers so far per group while a point is open, as anyone may read them: a group's count only
    once it reaches the minimum and may be shown alone; None ("fewer than 3") otherwise, so a group of
    one's count never tells that its one person has answered."""
    names = list(groups) + [name for name in answered if name not in groups and name != WITHHELD]
    alone, _, _ = _arrange(answered, minimum)
    return {name: answered[name] if name in alone else None for name in names}


def fewer_than(minimum: int) -> str:
    return f"fewer than {minimum}"


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
    # While open: answers so far per group, None below the minimum (`live_counts`); approved nominees per group.
    answered: dict[str, int | None]
    named: dict[str, int]

    @property
    def label(self) -> str:
        return series_label(self.n)

    @property
    def answered_counts(self) -> list[tuple[str, str]]:
        """(group, its count or "fewer than 3") for the page."""
        return [(group, fewer_than(self.minimum) if count is None else str(count)) for group, count in self.answered.items()]

    @property
    def response_rate(self) -> str:
        """Answers so far in the groups whose count is shown, of everyone asked: nothing more, so the
        total never tells a hidden group's count."""
        named = sum(self.named.values())
        if not named:
            return "nobody named"
        answered = sum(count for count in self.answered.values() if count is not None)
        return f"{answered} of {named} asked, in groups with {self.minimum} answers or more"

    @property
    def shown_groups(self) -> list[GroupLine]:
        return [group for group in self.groups if group.shown]

    def mean(self, position: int) -> Decimal | None:
        return self.means.get(position)


def _mean(values: list, minimum: int = 1) -> Decimal | None:
    """The mean of the scores given, from `minimum` of them ("can't say" is none)."""
    values = [Decimal(v) for v in values if v is not None]
    return (sum(values) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP) if values and len(values) >= minimum else None


def _comment_order(point_id: int, text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{point_id}|{text}".encode(), hashlib.sha256).hexdigest()


def assess_groups(
    *, point_id: int, groups: list[str], minimum: int, responses: list[tuple[str, dict[int, int | None], str]],
) -> tuple[list[GroupLine], int, dict[int, Decimal | None], list[str]]:
    """The plain rule over (group, {objective position: score or None}, comment) answers: the lines
    shown, n, the stakeholder mean per objective, and the comments to show."""
    by_group: dict[str, list[tuple[dict[int, int | None], str]]] = {}
    for group, scores, comment in responses:
        if group != WITHHELD:
            by_group.setdefault(group, []).append((scores, comment))
    # Answers a closed point filed under "Other stakeholders" (sealed_groups) were merged from two
    # groups at least; the contract's groups then read as the ones it may hold.
    sealed = by_group.pop(OTHER, [])
    names = list(groups) + [name for name in by_group if name not in groups]
    alone, answered_small, other_shown = _arrange({name: len(answers) for name, answers in by_group.items()}, minimum)
    positions = sorted({position for _, scores, _ in responses for position in scores})

    def line(name: str, answers: list, merged: list[str] | None = None) -> GroupLine:
        return GroupLine(
            name=name, shown=True, responses=len(answers), merged=merged or [],
            means={position: _mean([scores.get(position) for scores, _ in answers], minimum) for position in positions},
        )

    lines, shown_answers, small = [], [], []
    for name in names:
        if name in alone:
            lines.append(line(name, by_group[name]))
            shown_answers += by_group[name]
        else:
            small.append(name)
    merged = sealed + [answer for name in answered_small for answer in by_group[name]]
    if small and len(merged) >= minimum and (sealed or other_shown):
        # Every group it holds is named, answered or not: which of them answered is not shown.
        lines.append(line(OTHER, merged, merged=small))
        shown_answers += merged
        small = []
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
        Nominee.objects.filter(engagement_id=engagement_id, approval=Nominee.Approval.APPROVED)
        .values_list("group").annotate(n=Count("pk")).order_by()
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
                point_id=point.pk, groups=list(version.stakeholder_groups), minimum=version.stakeholder_minimum,
                responses=answers,
            )
        else:
            lines, n, means, comments = [], 0, {}, []
        results[point.pk] = PointStakeholders(
            point_id=point.pk, closed=point.is_closed, minimum=version.stakeholder_minimum, groups=lines, n=n,
            means=means, comments=comments,
            answered=live_counts(answered, groups=list(version.stakeholder_groups), minimum=version.stakeholder_minimum),
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
        minimum=point.version.stakeholder_minimum, responses=answers,
    )
    return means, n
