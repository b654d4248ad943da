"""The on/off-track rule as a plain function: edge cases, no database."""

from __future__ import annotations

from decimal import Decimal

from measurement.compute import (
    ACHIEVED,
    AT_RISK,
    NOT_ACHIEVED,
    OFF_TRACK,
    ON_TRACK,
    PARTLY_ACHIEVED,
    ObjectiveInput,
    PointInput,
    assess_point,
)

ALL = ("coachee", "coach", "sponsor")


def objective(key=1, baseline=4, target=7, raters=ALL, **ratings) -> ObjectiveInput:
    return ObjectiveInput(key=key, position=key, baseline=baseline, target=target, raters=tuple(raters), ratings=ratings)


def point(*objectives, kind="mid", held=3, contracted=6, tolerance="1.0") -> PointInput:
    return PointInput(kind=kind, sessions_held=held, sessions_contracted=contracted, tolerance=Decimal(tolerance),
                      objectives=tuple(objectives))


def test_the_score_is_the_mean_and_the_bar_follows_sessions_held():
    # Expected after 3 of 6 sessions: 4 + (7 − 4) × 0.5 = 5.5; needed 5.5 − 1 = 4.5.
    outcome = assess_point(point(objective(coachee=5, coach=4, sponsor=5)))
    result = outcome.objectives[0]
    assert result.score == Decimal("4.67") and result.expected == Decimal("5.50") and result.needed == Decimal("4.50")
    assert result.status == ON_TRACK and outcome.status == ON_TRACK
    assert "needed at least 4.5" in result.reason and "coachee 5, coach 4, sponsor 5" in result.reason


def test_just_below_the_bar_is_off_track():
    outcome = assess_point(point(objective(coachee=4, coach=4, sponsor=5)))  # 4.33 < 4.5
    assert outcome.objectives[0].status == OFF_TRACK and outcome.status == OFF_TRACK


def test_a_missing_rater_is_left_out_of_the_mean_and_named():
    result = assess_point(point(objective(coachee=6, coach=4))).objectives[0]
    assert result.score == Decimal("5.00") and result.missing == ("sponsor",)
    assert "not rated by sponsor" in result.reason and result.status == ON_TRACK


def test_an_objective_nobody_rated_is_not_on_track():
    outcome = assess_point(point(objective()))
    assert outcome.objectives[0].score is None and outcome.objectives[0].status == OFF_TRACK
    assert "Nobody rated it" in outcome.objectives[0].reason


def test_a_target_equal_to_the_baseline_asks_only_to_hold_steady():
    outcome = assess_point(point(objective(baseline=6, target=6, coachee=5, coach=5, sponsor=5)))
    result = outcome.objectives[0]
    assert result.expected == Decimal("6.00") and result.needed == Decimal("5.00") and result.status == ON_TRACK


def test_a_rating_below_the_baseline_is_off_track_and_says_so():
    result = assess_point(point(objective(baseline=5, target=8, coachee=3, coach=3, sponsor=3), held=0)).objectives[0]
    # No session held: the bar is the baseline less the tolerance (4), and 3 is below it.
    assert result.status == OFF_TRACK and "below the baseline" in result.reason


def test_a_point_moved_later_raises_the_bar():
    ratings = {"coachee": 5, "coach": 5, "sponsor": 5}
    at_three = assess_point(point(objective(**ratings), held=3)).objectives[0]
    at_five = assess_point(point(objective(**ratings), held=5)).objectives[0]
    assert at_three.status == ON_TRACK and at_five.status == OFF_TRACK  # 6.5 − 1 = 5.5 > 5
    assert at_five.needed > at_three.needed


def test_an_engagement_amended_to_more_sessions_lowers_the_bar_for_the_sessions_held():
    ratings = {"coachee": 5, "coach": 5, "sponsor": 5}
    before = assess_point(point(objective(**ratings), held=5, contracted=6)).objectives[0]
    after = assess_point(point(objective(**ratings), held=5, contracted=10)).objectives[0]
    assert before.status == OFF_TRACK and after.status == ON_TRACK
    assert after.expected == Decimal("5.50")


def test_more_sessions_held_than_contracted_caps_at_the_target():
    result = assess_point(point(objective(coachee=7, coach=7, sponsor=7), held=8, contracted=6)).objectives[0]
    assert result.expected == Decimal("7.00")


def test_no_target_agreed_is_measured_against_the_baseline():
    result = assess_point(point(objective(target=None, coachee=4, coach=4, sponsor=4))).objectives[0]
    assert result.expected == Decimal("4.00") and result.status == ON_TRACK and "no target agreed" in result.reason


def test_one_objective_of_three_behind_puts_the_engagement_at_risk_and_two_off_track():
    good, bad = {"coachee": 7, "coach": 7, "sponsor": 7}, {"coachee": 2, "coach": 2, "sponsor": 2}
    one = assess_point(point(objective(1, **good), objective(2, **good), objective(3, **bad)))
    two = assess_point(point(objective(1, **good), objective(2, **bad), objective(3, **bad)))
    assert one.status == AT_RISK and "1 of 3 objectives did not reach the bar" in one.reason
    assert two.status == OFF_TRACK


def test_half_behind_is_at_risk_not_off_track():
    good, bad = {"coachee": 7, "coach": 7, "sponsor": 7}, {"coachee": 2, "coach": 2, "sponsor": 2}
    assert assess_point(point(objective(1, **good), objective(2, **bad))).status == AT_RISK


def test_the_end_point_reads_as_achieved_partly_or_not():
    end = {"kind": "end", "held": 6, "contracted": 6}
    achieved = assess_point(point(objective(1, coachee=7, coach=6, sponsor=6), **end))
    partly = assess_point(point(objective(1, coachee=7, coach=7, sponsor=7), objective(2, coachee=5, coach=5, sponsor=5), **end))
    nothing = assess_point(point(objective(1, coachee=3, coach=4, sponsor=4), **end))
    assert achieved.status == ACHIEVED and achieved.objectives[0].status == ACHIEVED
    assert partly.status == PARTLY_ACHIEVED and partly.objectives[1].status == PARTLY_ACHIEVED  # 5 > baseline 4
    assert nothing.status == NOT_ACHIEVED and nothing.objectives[0].status == NOT_ACHIEVED


def test_the_computation_keeps_the_numbers_behind_the_status():
    outcome = assess_point(point(objective(coachee=5, coach=4, sponsor=5), tolerance="0.5"))
    numbers = outcome.computation
    assert numbers["sessions_held"] == 3 and numbers["sessions_contracted"] == 6 and numbers["fraction"] == "0.5"
    assert numbers["tolerance"] == "0.5" and numbers["objectives"][0]["needed"] == "5"
    assert numbers["objectives"][0]["ratings"] == {"coachee": 5, "coach": 4, "sponsor": 5}
    assert "mean of its raters' ratings" in numbers["rule"]


def test_an_end_point_where_every_objective_moved_up_but_fell_short_is_partly_achieved():
    # Each objective is partly achieved (above its baseline, below its bar): so is the engagement.
    end = {"kind": "end", "held": 6, "contracted": 6}
    outcome = assess_point(point(objective(1, coachee=5, coach=5, sponsor=5), objective(2, coachee=5, coach=6, sponsor=5), **end))
    assert [o.status for o in outcome.objectives] == [PARTLY_ACHIEVED, PARTLY_ACHIEVED]
    assert outcome.status == PARTLY_ACHIEVED
    assert "2 of 2 objectives did not reach the bar (2 partly achieved: above the baseline)" in outcome.reason


def test_an_end_point_where_most_objectives_did_not_move_is_not_achieved():
    end = {"kind": "end", "held": 6, "contracted": 6}
    flat = {"coachee": 4, "coach": 4, "sponsor": 4}
    outcome = assess_point(point(objective(1, coachee=5, coach=5, sponsor=5), objective(2, **flat), objective(3, **flat), **end))
    assert outcome.status == NOT_ACHIEVED


def test_reasons_give_the_numbers_without_repeating_the_verdict_shown_beside_them():
    outcome = assess_point(point(objective(coachee=5, coach=4, sponsor=5)))
    assert outcome.reason == "All 1 objective reached the bar after 3 of 6 sessions (tolerance 1)."
    assert outcome.objectives[0].reason.startswith("Score 4.67 (mean of coachee 5, coach 4, sponsor 5)")
    assert outcome.computation["percent"] == "50"


def test_the_rule_in_words_explains_the_end_point_readings():
    from measurement.compute import RULE_IN_WORDS

    assert "partly achieved" in RULE_IN_WORDS and "not achieved" in RULE_IN_WORDS
