"""`stakeholders_in_rule` (practice setting, default off): the stakeholders' mean counts as one more
rater in the on/off-track rule, and the rule on the page says whether it does."""

from __future__ import annotations

import pytest

from coachhub.tenancy.context import practice_context
from measurement.models import ObjectiveResult
from measurement.services.closing import close_point
from tests.conftest import client_at
from tests.measurement.conftest import after_grace, rate
from tests.stakeholders.conftest import answer, due_point, name

pytestmark = pytest.mark.django_db


def _close_with_stakeholders(acme, engagement, *, scores=(10, 10, 10)) -> ObjectiveResult:
    peers = name(acme, engagement, "Peers", 3)
    point = due_point(acme, engagement)
    for user in (engagement.coachee, engagement.coach, acme.sponsor):
        rate(acme, point, user, 4)
    for nominee, score in zip(peers, scores, strict=True):
        answer(acme, point, nominee, score)
    with practice_context(acme.practice):
        close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
        return ObjectiveResult.objects.get(point=point)


def test_by_default_the_stakeholders_do_not_count_and_the_rule_says_so(acme, engagement):
    result = _close_with_stakeholders(acme, engagement)
    assert result.score == 4
    page = client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/progress/").content.decode()
    assert "does not count in it" in page
    assert "Stakeholders (n=3)" in page


def test_when_the_practice_says_so_their_mean_is_one_more_rater(acme, engagement):
    with practice_context(acme.practice):
        acme.practice.stakeholders_in_rule = True
        acme.practice.save()
    result = _close_with_stakeholders(acme, engagement)
    assert result.score == 5.5  # (4 + 4 + 4 + 10) / 4
    assert "stakeholders 10" in result.reason
    page = client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/progress/").content.decode()
    assert "counts as one more rater" in page


def test_a_group_below_its_minimum_does_not_count_in_the_rule(acme, engagement):
    with practice_context(acme.practice):
        acme.practice.stakeholders_in_rule = True
        acme.practice.save()
    managers = name(acme, engagement, "Line manager", 1)
    point = due_point(acme, engagement)
    for user in (engagement.coachee, engagement.coach, acme.sponsor):
        rate(acme, point, user, 6)
    answer(acme, point, managers[0], 1)
    with practice_context(acme.practice):
        close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
        assert ObjectiveResult.objects.get(point=point).score == 6
