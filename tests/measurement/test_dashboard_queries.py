"""Both dashboards keep a constant number of queries however many engagements there are (the
N+1 guard: n and n + k engagements, the same count), and every filter they run has an index."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_at
from tests.measurement.dashboard_support import portfolio

pytestmark = pytest.mark.django_db


def queries_of(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


SPONSOR_URLS = [("/dashboard/sponsor/", {}), ("/dashboard/sponsor/", {"status": "off_track", "stage": "active"}),
                ("/dashboard/sponsor/export.csv", {})]


def test_the_sponsor_dashboard_keeps_its_query_count_over_200_engagements(acme, django_assert_max_num_queries):
    client = client_at(acme, acme.sponsor)
    portfolio(acme, 5)
    small = {(url, tuple(params.items())): queries_of(client, url, **params) for url, params in SPONSOR_URLS}
    portfolio(acme, 5)  # n + k: exactly the same count
    assert {(url, tuple(params.items())): queries_of(client, url, **params) for url, params in SPONSOR_URLS} == small
    portfolio(acme, 190)
    for (url, params), count in small.items():
        with django_assert_max_num_queries(count):
            response = client.get(url, dict(params))
        assert response.status_code == 200
    response = client.get("/dashboard/sponsor/")
    assert response.context["page"].paginator.count == 200
    assert len(client.get("/dashboard/sponsor/export.csv").content.decode().splitlines()) == 201
    # The page itself (sign-in and practice lookups aside) is a handful of queries.
    assert small[("/dashboard/sponsor/", ())] <= 15, small


def test_the_sponsors_engagement_page_keeps_its_query_count(acme, django_assert_max_num_queries):
    client = client_at(acme, acme.sponsor)
    first = portfolio(acme, 1, prefix="one")[0]
    count = queries_of(client, f"/dashboard/sponsor/engagements/{first}/")
    portfolio(acme, 50)
    with django_assert_max_num_queries(count):
        assert client.get(f"/dashboard/sponsor/engagements/{first}/").status_code == 200


def test_the_practice_dashboard_keeps_its_query_count_over_1000_engagements(acme, django_assert_max_num_queries):
    client = client_at(acme, acme.admin)
    portfolio(acme, 5)
    small = queries_of(client, "/practice/dashboard/")
    portfolio(acme, 5)
    assert queries_of(client, "/practice/dashboard/") == small
    portfolio(acme, 990)
    with django_assert_max_num_queries(small):
        response = client.get("/practice/dashboard/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1000
    assert sum(count for _, _, count in response.context["stages"]) == 1000
    with django_assert_max_num_queries(small):
        assert client.get("/practice/dashboard/", {"page": 20}).status_code == 200
    assert small <= 15, small
