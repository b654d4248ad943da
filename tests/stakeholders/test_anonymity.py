"""Anonymity, where the data is read: groups shown only at their minimum, small groups merged into
"Other stakeholders" or "not enough responses to show", comments only of shown groups, nothing that
tells who said what — not even a page compared before and after one more answer."""

from __future__ import annotations

import pytest

from coachhub.tenancy.context import practice_context
from measurement.services.closing import close_point
from measurement.stakeholders.results import NOT_ENOUGH, OTHER, assess_groups
from tests.conftest import client_at
from tests.measurement.conftest import after_grace
from tests.stakeholders.conftest import answer, due_point, name, pages_showing, read_page, report_text, signed_in_reader

pytestmark = pytest.mark.django_db

GROUPS = ["Line manager", "Peers", "Direct reports"]


def _answers(**groups):
    return [(group.replace("_", " "), {1: score}, f"{group}-{i}") for group, scores in groups.items() for i, score in enumerate(scores)]


def test_groups_at_their_minimum_are_shown_and_a_single_answer_is_neither_shown_nor_counted():
    lines, n, means, comments = assess_groups(point_id=1, groups=GROUPS, minimum=3, responses=[
        ("Peers", {1: 6}, "p1"), ("Peers", {1: 7}, ""), ("Peers", {1: 8}, "p3"), ("Peers", {1: 7}, ""),
        ("Direct reports", {1: 5}, "d1"), ("Direct reports", {1: 5}, ""), ("Direct reports", {1: 8}, ""),
        ("Line manager", {1: 2}, "secret"),
    ])
    assert n == 7
    shown = {line.name: line.means[1] for line in lines if line.shown}
    assert shown == {"Peers": 7, "Direct reports": 6}
    assert [(line.name, line.text) for line in lines if not line.shown] == [("Line manager", NOT_ENOUGH)]
    assert means[1] == 6.5  # the mean of the shown groups
    assert "secret" not in comments and sorted(comments) == ["d1", "p1", "p3"]


def test_small_groups_merge_into_other_stakeholders_when_together_they_reach_the_minimum():
    lines, n, means, _ = assess_groups(point_id=1, groups=GROUPS, minimum=3, responses=[
        ("Line manager", {1: 4}, ""), ("Direct reports", {1: 6}, ""), ("Direct reports", {1: 8}, ""),
    ])
    # Every small group is named in it, answered or not: which of them answered is not shown.
    assert [(line.name, line.shown, line.merged) for line in lines] == [
        (OTHER, True, ["Line manager", "Peers", "Direct reports"]),
    ]
    assert n == 3 and means[1] == 6


def test_can_t_say_is_left_out_of_the_means_but_the_answer_counts():
    lines, n, means, _ = assess_groups(point_id=1, groups=["Peers"], minimum=3, responses=[
        ("Peers", {1: None}, ""), ("Peers", {1: 4}, ""), ("Peers", {1: 6}, ""), ("Peers", {1: 5}, ""),
    ])
    assert n == 4 and means[1] == 5


def test_an_objective_s_mean_needs_the_minimum_number_of_scores_not_only_of_answers():
    """Two "can't say" in a group of three would otherwise show the third person's own score."""
    lines, n, means, _ = assess_groups(point_id=1, groups=["Peers"], minimum=3, responses=[
        ("Peers", {1: None, 2: 4}, ""), ("Peers", {1: None, 2: 5}, ""), ("Peers", {1: 9, 2: 6}, ""),
    ])
    assert n == 3 and lines[0].shown
    assert lines[0].means == {1: None, 2: 5} and means == {1: None, 2: 5}


def test_comments_are_in_an_order_that_is_not_the_order_given():
    answers = [("Peers", {1: 5}, f"comment {i}") for i in range(12)]
    _, _, _, comments = assess_groups(point_id=9, groups=["Peers"], minimum=3, responses=answers)
    assert sorted(comments) == sorted(a[2] for a in answers) and comments != [a[2] for a in answers]


def _page(cast, engagement, user) -> str:
    return read_page(client_at(cast, user), f"/engagements/{engagement.pk}/progress/")


@pytest.mark.parametrize("who", ["coachee2", "coach", "sponsor", "admin"])
def test_one_more_answer_below_the_minimum_cannot_be_read_from_any_page(acme, engagement, who):
    """The attack: compare every page before and after one more answer while the group is below its
    minimum. No page changes at all: a group below its minimum reads "fewer than 3", and the totals
    count only groups whose count is shown."""
    managers = name(acme, engagement, "Line manager", 2)
    point = due_point(acme, engagement)
    answer(acme, point, managers[0], 3, "first manager")
    client = signed_in_reader(acme, who)
    before = pages_showing(client, engagement, point, who)
    if who in ("sponsor", "admin"):  # the engagement is on the dashboard, with its response rate
        dashboard = before["/dashboard/sponsor/" if who == "sponsor" else "/practice/dashboard/"]
        assert engagement.coachee.full_name in dashboard and "Mid-point: fewer than 3 of 2" in dashboard
    answer(acme, point, managers[1], 9, "UNIQUE-COMMENT")
    after = pages_showing(client, engagement, point, who)
    for url, page in after.items():
        assert "UNIQUE-COMMENT" not in page and "first manager" not in page, url
        assert page == before[url], url


def test_one_more_answer_below_the_minimum_cannot_be_read_from_the_progress_report(acme, engagement):
    """The same attack on the progress report PDF (the same for every reader)."""
    managers = name(acme, engagement, "Line manager", 2)
    point = due_point(acme, engagement)
    answer(acme, point, managers[0], 3, "first manager")
    before = report_text(acme, engagement)
    assert engagement.coachee.full_name in before
    answer(acme, point, managers[1], 9, "UNIQUE-COMMENT")
    after = report_text(acme, engagement)
    assert "UNIQUE-COMMENT" not in after and after == before


def test_closed_point_pages_show_groups_at_minimum_with_n_and_comments(acme, engagement):
    peers = name(acme, engagement, "Peers", 4)
    reports = name(acme, engagement, "Direct reports", 3)
    manager = name(acme, engagement, "Line manager", 1)
    point = due_point(acme, engagement)
    for nominee, score in zip(peers + reports, [6, 7, 8, 7, 5, 5, 8], strict=True):
        answer(acme, point, nominee, score, f"Comment from {nominee.pk * 0 + score}-{nominee.group}" if score == 8 else "")
    answer(acme, point, manager[0], 2, "MANAGER-ONLY")
    with practice_context(acme.practice):
        close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
    for who in ("coachee2", "coach", "sponsor", "admin"):
        page = _page(acme, engagement, getattr(acme, who))
        assert "Stakeholders (n=7)" in page
        assert "not enough responses to show" in page
        assert "MANAGER-ONLY" not in page and "person" not in page  # no names, no single answer
        assert page.count("Comment from") == 2


def test_closing_files_a_line_managers_answer_under_the_group_it_is_shown_in(acme, engagement):
    """Read as the application, a sealed answer's group must not be one whose one person the coachee
    named: the line manager's answer, merged into "Other stakeholders", is stored under that name."""
    from measurement.models import StakeholderResponse

    peers, manager, reports = (name(acme, engagement, "Peers", 3), name(acme, engagement, "Line manager", 1),
                               name(acme, engagement, "Direct reports", 2))
    point = due_point(acme, engagement)
    for nominee in [*peers, *manager, *reports]:
        assert answer(acme, point, nominee, 6).status_code == 200
    with practice_context(acme.practice):
        close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
        filed = sorted(StakeholderResponse.objects.filter(point=point).values_list("group", flat=True))
    assert filed == [OTHER] * 3 + ["Peers"] * 3
    page = client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/progress/").content.decode()
    assert "Peers" in page and OTHER in page


def test_answers_shown_nowhere_are_filed_under_no_group_at_all(acme, engagement):
    from measurement.models import StakeholderResponse
    from measurement.stakeholders.results import WITHHELD

    peers, manager = name(acme, engagement, "Peers", 3), name(acme, engagement, "Line manager", 1)
    point = due_point(acme, engagement)
    for nominee in [*peers, *manager]:
        answer(acme, point, nominee, 6)
    with practice_context(acme.practice):
        close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
        filed = sorted(StakeholderResponse.objects.filter(point=point).values_list("group", flat=True))
    assert filed == [WITHHELD] + ["Peers"] * 3  # one group alone cannot make "Other stakeholders"
