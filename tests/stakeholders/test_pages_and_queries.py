"""The progress page, the stakeholder page and both dashboards keep a constant number of queries
with 50 nominees; the dashboards show the response rate per engagement and point."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachhub.tenancy.context import practice_context
from measurement.services.closing import close_point
from tests.conftest import client_at
from tests.measurement.conftest import after_grace
from tests.stakeholders.conftest import answer, due_point, name

pytestmark = pytest.mark.django_db


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_pages_keep_their_query_count_with_50_nominees(acme, engagement, django_assert_max_num_queries):
    peers = name(acme, engagement, "Peers", 3)
    point = due_point(acme, engagement)
    for nominee in peers:
        answer(acme, point, nominee, 6, "fine")
    with practice_context(acme.practice):
        close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
    pages = {
        (acme.coachee2, f"/engagements/{engagement.pk}/progress/"),
        (acme.coachee2, f"/engagements/{engagement.pk}/stakeholders/"),
        (acme.coach, f"/engagements/{engagement.pk}/progress/points/{point.pk}/"),
        (acme.sponsor, "/dashboard/sponsor/"),
        (acme.sponsor, f"/dashboard/sponsor/engagements/{engagement.pk}/"),
        (acme.admin, "/practice/dashboard/"),
    }
    clients = {user: client_at(acme, user) for user, _ in pages}
    small = {(user, url): queries_of(clients[user], url) for user, url in pages}
    name(acme, engagement, "Direct reports", 47, start=100)  # 50 nominees
    for (user, url), count in small.items():
        with django_assert_max_num_queries(count):
            assert clients[user].get(url).status_code == 200


def test_dashboards_show_the_response_rate_per_engagement_and_point(acme, engagement):
    peers = name(acme, engagement, "Peers", 4)
    point = due_point(acme, engagement)
    answer(acme, point, peers[0], 6)
    for user, url in ((acme.sponsor, "/dashboard/sponsor/"), (acme.admin, "/practice/dashboard/")):
        page = client_at(acme, user).get(url).content.decode()
        assert "Mid-point: fewer than 3 of 4" in page, user  # a group's count shows from its minimum
        assert "Peers person" not in page
    for peer in peers[1:3]:
        answer(acme, point, peer, 7)
    for user, url in ((acme.sponsor, "/dashboard/sponsor/"), (acme.admin, "/practice/dashboard/")):
        assert "Mid-point: 3 of 4" in client_at(acme, user).get(url).content.decode(), user
