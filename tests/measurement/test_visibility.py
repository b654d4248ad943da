"""Who sees an engagement's objectives, ratings, status and progress report (DESIGN.md, "Who
sees what"): coachee, own coach, practice admin, a sponsor party to the accepted contract. Every
other person, and every person of another practice, gets 404."""

from __future__ import annotations

import pytest

from tests.conftest import client_at
from tests.contracts.conftest import other_sponsor
from tests.measurement.conftest import due_mid_point, point_of, rate
from tests.sessions.conftest import active_engagement


def urls(engagement, point) -> list[str]:
    base = f"/engagements/{engagement.pk}/progress/"
    return [base, f"{base}points/{point.pk}/", f"{base}report.pdf"]


def test_the_parties_and_the_admin_see_the_progress(acme, engagement):
    point = point_of(acme, engagement)
    for user in (engagement.coachee, acme.coach, acme.sponsor, acme.admin):
        client = client_at(acme, user)
        for url in urls(engagement, point):
            assert client.get(url).status_code in (200, 202), (user, url)


def test_everyone_else_in_the_practice_gets_404(acme, engagement):
    point = point_of(acme, engagement)
    outsiders = [acme.coach2, acme.coachee, other_sponsor(acme)]
    for user in outsiders:
        client = client_at(acme, user)
        for url in urls(engagement, point):
            assert client.get(url).status_code == 404, (user, url)


def test_a_sponsor_of_a_two_way_contract_gets_404(acme, in_practice):
    from tests.contracts.conftest import accepted_by_all, matched_engagement

    engagement = matched_engagement(acme, coachee=acme.coachee, coach=acme.coach2)
    accepted_by_all(acme, engagement, sponsor=False)
    point = point_of(acme, engagement)
    for url in urls(engagement, point):
        assert client_at(acme, acme.sponsor).get(url).status_code == 404


def test_another_practice_gets_404(acme, globex, engagement):
    point = point_of(acme, engagement)
    for user in (globex.admin, globex.coach, globex.sponsor):
        client = client_at(globex, user)
        for url in urls(engagement, point):
            assert client.get(url).status_code == 404


def test_a_second_engagement_of_the_same_coach_is_not_seen_by_the_first_coachee(acme, engagement):
    second = active_engagement(acme, coachee=acme.coachee, coach=acme.coach)
    point = point_of(acme, second)
    for url in urls(second, point):
        assert client_at(acme, engagement.coachee).get(url).status_code == 404


@pytest.mark.parametrize("action", ["close", "move", "comment"])
def test_the_coach_actions_are_404_for_everyone_else(acme, engagement, action):
    point = point_of(acme, engagement)
    url = f"/engagements/{engagement.pk}/progress/points/{point.pk}/{action}/"
    for user in (engagement.coachee, acme.sponsor, acme.admin, acme.coach2):
        assert client_at(acme, user).post(url, {"reason": "x", "after_sessions": "4", "comment": "x"}).status_code == 404


def test_a_rater_sees_the_others_ratings_only_after_submitting_their_own(acme, engagement):
    point = due_mid_point(acme, engagement)
    rate(acme, point, acme.sponsor, 9, "Sponsor's view: SECRET-SPONSOR")
    url = f"/engagements/{engagement.pk}/progress/points/{point.pk}/"
    coachee = client_at(acme, engagement.coachee)
    before = coachee.get(url).content.decode()
    assert "SECRET-SPONSOR" not in before and "once you have submitted your own" in before
    # The coach sees them all along.
    assert "SECRET-SPONSOR" in client_at(acme, acme.coach).get(url).content.decode()
    rate(acme, point, engagement.coachee, 6)
    assert "SECRET-SPONSOR" in coachee.get(url).content.decode()


def test_the_engagement_page_shows_the_progress_panel_to_coachee_and_coach(acme, engagement):
    point = due_mid_point(acme, engagement)
    for user in (engagement.coachee, acme.coach, acme.sponsor):
        rate(acme, point, user, 6)
    for user in (engagement.coachee, acme.coach):
        page = client_at(acme, user).get(f"/engagements/{engagement.pk}/sessions/").content.decode()
        assert "Progress on the objectives" in page and "<svg" in page and "On track" in page


def test_the_progress_page_keeps_a_constant_number_of_queries(acme, engagement, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    point = due_mid_point(acme, engagement)
    for user in (engagement.coachee, acme.coach, acme.sponsor):
        rate(acme, point, user, 6)
    client = client_at(acme, acme.coach)
    small = active_engagement(acme, coachee=acme.coachee, coach=acme.coach)
    with CaptureQueriesContext(connection) as baseline:
        client.get(f"/engagements/{small.pk}/progress/")
    with django_assert_max_num_queries(len(baseline)):
        client.get(f"/engagements/{engagement.pk}/progress/")
