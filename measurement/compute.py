"""The on/off-track rule, as a plain function over plain inputs (no database, no Django models).

The default rule, as the pages state it:
- an objective's score is the mean of its raters' ratings (raters who have not rated are left out);
- it is on track when score ≥ baseline + (target − baseline) × (sessions held ÷ sessions
  contracted) − tolerance. The fraction is capped at 1; an objective with no target agreed is
  measured against its baseline; one that nobody rated is not on track (progress cannot be shown);
- the engagement is on track when every objective is, at risk when some are not, off track when
  most (more than half) are not.
At the end-point an objective that reaches its bar is achieved, one below its bar but above its
baseline partly achieved, any other not achieved; the engagement is achieved when every objective
is, not achieved when most are not achieved, and partly achieved otherwise (so an engagement whose
objectives all moved up without reaching their bars reads as partly achieved, as each of them does).
Reasons state the numbers; the verdict itself is shown beside them, not repeated in them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

BASELINE, MID, END = "baseline", "mid", "end"
ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
ACHIEVED, PARTLY_ACHIEVED, NOT_ACHIEVED = "achieved", "partly_achieved", "not_achieved"
BASELINE_TAKEN = "baseline_taken"
LABELS = {
    ON_TRACK: "on track", AT_RISK: "at risk", OFF_TRACK: "off track",
    ACHIEVED: "achieved", PARTLY_ACHIEVED: "partly achieved", NOT_ACHIEVED: "not achieved",
}
CENT = Decimal("0.01")

RULE_IN_WORDS = (
    "An objective's score is the mean of its raters' ratings. It is on track when the score is at least "
    "baseline + (target − baseline) × (sessions held ÷ sessions contracted) − tolerance. "
    "The engagement is on track when every objective is, at risk when some are not, and off track when most are not. "
    "At the end-point an objective on track is achieved, one below its bar but above its baseline is partly achieved, "
    "and any other is not achieved; the engagement is achieved when every objective is, not achieved when most are "
    "not achieved, and partly achieved otherwise."
)

# The stakeholders' mean, when the practice counts it as one more rater (practice setting).
STAKEHOLDERS = "stakeholders"
STAKEHOLDERS_COUNTED = (
    "The stakeholders' mean (of the groups with enough responses to show) counts as one more rater."
)
STAKEHOLDERS_NOT_COUNTED = "Stakeholder feedback is shown beside the score and does not count in it."


@dataclass(frozen=True)
class ObjectiveInput:
    """One objective at one point: its scale positions and the ratings given, by rater role."""

    key: int
    position: int
    baseline: int
    target: int | None
    raters: tuple[str, ...]
    ratings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PointInput:
    kind: str  # MID or END
    sessions_held: int
    sessions_contracted: int
    tolerance: Decimal
    objectives: tuple[ObjectiveInput, ...]


@dataclass(frozen=True)
class ObjectiveOutcome:
    key: int
    position: int
    score: Decimal | None
    expected: Decimal
    needed: Decimal
    on_track: bool
    status: str
    reason: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class PointOutcome:
    status: str
    reason: str
    objectives: tuple[ObjectiveOutcome, ...]
    computation: dict


def _num(value: Decimal) -> str:
    """2 decimals, without trailing zeros: 6.50 → 6.5, 7.00 → 7."""
    text = f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def progress_fraction(sessions_held: int, sessions_contracted: int) -> Decimal:
    if sessions_contracted <= 0:
        return Decimal(1)
    return min(Decimal(sessions_held) / Decimal(sessions_contracted), Decimal(1))


def assess_objective(objective: ObjectiveInput, *, kind: str, fraction: Decimal, tolerance: Decimal) -> ObjectiveOutcome:
    given = [objective.ratings[role] for role in objective.raters if role in objective.ratings]
    missing = tuple(role for role in objective.raters if role not in objective.ratings)
    target = objective.target if objective.target is not None else objective.baseline
    expected = (Decimal(objective.baseline) + (Decimal(target) - Decimal(objective.baseline)) * fraction).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    needed = (expected - tolerance).quantize(CENT, rounding=ROUND_HALF_UP)
    score = (sum(Decimal(str(g)) for g in given) / Decimal(len(given))).quantize(CENT, rounding=ROUND_HALF_UP) if given else None
    on_track = score is not None and score >= needed
    bar = (
        f"at least {_num(needed)} (baseline {objective.baseline}"
        + (f", target {objective.target}" if objective.target is not None else ", no target agreed: measured against the baseline")
        + f", {_num(fraction * 100)}% of the way: {_num(expected)}, less {_num(tolerance)} tolerance)"
    )
    if score is None:
        reason = f"Nobody rated it, so progress cannot be shown; it needed {bar}."
    else:
        mean = f"Score {_num(score)} (mean of {', '.join(f'{role} {objective.ratings[role]}' for role in objective.raters if role in objective.ratings)})"
        if missing:
            mean += f"; not rated by {', '.join(missing)}"
        below = " It is below the baseline." if score < objective.baseline else ""
        reason = f"{mean}; it needed {bar}.{below}"
    if kind == END:
        if on_track:
            status = ACHIEVED
        elif score is not None and score > objective.baseline:
            status = PARTLY_ACHIEVED
        else:
            status = NOT_ACHIEVED
    else:
        status = ON_TRACK if on_track else OFF_TRACK
    return ObjectiveOutcome(
        key=objective.key, position=objective.position, score=score, expected=expected, needed=needed,
        on_track=on_track, status=status, reason=reason, missing=missing,
    )


def assess_point(point: PointInput) -> PointOutcome:
    """The verdict for each objective and for the engagement at one measurement point."""
    fraction = progress_fraction(point.sessions_held, point.sessions_contracted)
    outcomes = tuple(
        assess_objective(objective, kind=point.kind, fraction=fraction, tolerance=point.tolerance)
        for objective in sorted(point.objectives, key=lambda o: o.position)
    )
    total = len(outcomes)
    behind = sum(1 for outcome in outcomes if not outcome.on_track)
    if behind == 0:
        verdict = ON_TRACK
    elif behind * 2 > total:
        verdict = OFF_TRACK
    else:
        verdict = AT_RISK
    not_achieved = sum(1 for outcome in outcomes if outcome.status == NOT_ACHIEVED)
    if point.kind == END:
        if behind == 0:
            verdict = ACHIEVED
        elif not_achieved * 2 > total:
            verdict = NOT_ACHIEVED
        else:
            verdict = PARTLY_ACHIEVED
    if total == 0:
        counted = "There are no objectives to measure"
    elif behind == 0:
        counted = f"All {total} objective{'s' if total != 1 else ''} reached the bar"
    else:
        counted = f"{behind} of {total} objective{'s' if total != 1 else ''} did not reach the bar"
        if point.kind == END and behind > not_achieved:
            counted += f" ({behind - not_achieved} partly achieved: above the baseline)"
    reason = (
        f"{counted} after {point.sessions_held} of {point.sessions_contracted} "
        f"sessions (tolerance {_num(point.tolerance)})."
    )
    computation = {
        "rule": RULE_IN_WORDS,
        "kind": point.kind,
        "sessions_held": point.sessions_held,
        "sessions_contracted": point.sessions_contracted,
        "fraction": _num(fraction),
        "percent": _num(fraction * 100),
        "tolerance": _num(point.tolerance),
        "objectives_behind": behind,
        "objectives": [
            {
                "position": outcome.position, "baseline": objective.baseline, "target": objective.target,
                "ratings": {role: objective.ratings[role] for role in objective.raters if role in objective.ratings},
                # The same, in the raters' order (a JSON object's keys come back sorted).
                "ratings_text": ", ".join(f"{role} {objective.ratings[role]}" for role in objective.raters if role in objective.ratings),
                "missing": list(outcome.missing),
                "score": None if outcome.score is None else _num(outcome.score),
                "expected": _num(outcome.expected), "needed": _num(outcome.needed), "status": outcome.status,
                "result": LABELS[outcome.status],
            }
            for outcome, objective in zip(outcomes, sorted(point.objectives, key=lambda o: o.position), strict=True)
        ],
    }
    return PointOutcome(status=verdict, reason=reason, objectives=outcomes, computation=computation)


def assess_baseline(*, responses: int, minimum: int) -> PointOutcome:
    """A stakeholder baseline round judges nothing: it records where the stakeholders started, from
    `responses` answers counted (groups at their `minimum` only), for the later rounds to be read
    against."""
    if responses:
        reason = (
            f"The stakeholders' starting point: {responses} response{'s' if responses != 1 else ''} counted "
            f"(from the groups with at least {minimum}). Their later ratings are read against it."
        )
    else:
        reason = (
            f"No stakeholder group reached {minimum} responses, so the baseline round has nothing to show; "
            "the stakeholders' later ratings are read against the baseline agreed in the contract."
        )
    return PointOutcome(
        status=BASELINE_TAKEN, reason=reason, objectives=(),
        computation={"kind": BASELINE, "stakeholder_responses": responses, "minimum": minimum},
    )
