"""The sponsor's engagement page on the dashboard shows what DESIGN.md's table lets the sponsor see of
the stakeholder feedback (the series in the charts, the groups shown and their comments, anonymous,
never the nominees) and links to the progress page and its PDF, which the sponsor may open; its
query count does not grow with the points and answers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachhub.tenancy.context import practice_context
from measurement.services.closing import close_point
from tests.conftest import client_at
from tests.measurement.conftest import after_grace, hold_sessions, point_of
from tests.stakeholders.conftest import answer, due_point, name

pytestmark = pytest.mark.django_db


def page_url(engagement) -> str:
    return f"/dashboard/sponsor/engagements/{engagement.pk}/"


def answer_and_close(cast, engagement, point, nominees, scores, comments):
    for nominee, score, comment in zip(nominees, scores, comments, strict=True):
        assert answer(cast, point, nominee, score, comment).status_code == 200
    with practice_context(cast.practice):
        close_point(point=point, actor=engagement.coach, now=after_grace(cast, point))


@pytest.fixture
def closed_mid(acme, engagement):
    """The mid-point closed with peers (3) and direct reports (3) shown, the line manager's one answer not."""
    peers, reports = name(acme, engagement, "Peers", 3), name(acme, engagement, "Direct reports", 3)
    manager = name(acme, engagement, "Line manager", 1)
    point = due_point(acme, engagement)
    answer_and_close(
        acme, engagement, point, peers + reports + manager, [6, 7, 8, 5, 5, 8, 1],
        ["PEERS-SAID-THIS", "", "", "", "REPORTS-SAID-THIS", "", "MANAGER-ONLY"],
    )
    return point


def test_the_sponsor_sees_the_stakeholder_series_groups_and_comments(acme, engagement, closed_mid):
    response = client_at(acme, acme.sponsor).get(page_url(engagement))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Stakeholders (n=6)" in page  # the chart's series and the table's total row
    assert 'aria-label="Stakeholder means, Mid-point"' in page
    for group in ("Peers (3)", "Direct reports (3)"):
        assert group in page
    assert "not enough responses to show" in page  # the line manager's group
    assert "PEERS-SAID-THIS" in page and "REPORTS-SAID-THIS" in page
    assert "MANAGER-ONLY" not in page
    assert "person" not in page and "@client.example" not in page  # who the stakeholders are: counts only


def test_the_page_shows_what_the_progress_page_shows_the_sponsor_of_the_stakeholders(acme, engagement, closed_mid):
    client = client_at(acme, acme.sponsor)
    ours = client.get(page_url(engagement)).content.decode()
    theirs = client.get(f"/engagements/{engagement.pk}/progress/").content.decode()
    section = theirs[theirs.index('<section class="stakeholders"'):]
    section = section[:section.index("</section>") + len("</section>")]
    assert section in ours


def test_the_sponsor_follows_the_links_to_the_progress_page_and_its_pdf(acme, engagement, closed_mid):
    client = client_at(acme, acme.sponsor)
    page = client.get(page_url(engagement)).content.decode()
    progress, pdf = f"/engagements/{engagement.pk}/progress/", f"/engagements/{engagement.pk}/progress/report.pdf"
    assert f'href="{progress}"' in page and f'href="{pdf}"' in page
    assert client.get(progress).status_code == 200
    assert client.get(pdf).status_code == 202  # being prepared by a worker, then the file


def test_the_page_keeps_its_query_count_as_points_close_and_answers_grow(acme, engagement, closed_mid):
    client = client_at(acme, acme.sponsor)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page_url(engagement)).status_code == 200
    mid_only = len(queries)
    more = name(acme, engagement, "Peers", 5, start=3) + name(acme, engagement, "Direct reports", 4, start=3)
    hold_sessions(acme, engagement, 3, first=4)
    end = point_of(acme, engagement, "end")
    assert end.fell_due_at is not None
    answer_and_close(acme, engagement, end, more, [7] * 9, [f"end comment {n}" for n in range(9)])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(page_url(engagement)).content.decode()
    assert "end comment 8" in page
    assert len(queries) == mid_only, [query["sql"] for query in queries.captured_queries]
