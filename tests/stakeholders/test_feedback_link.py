"""The nominee's personal link: one page, changeable until the point closes, refused clearly when
tampered with, of another practice, of a closed point or after unsubscribing; bad answers get a
message, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from coachhub.tenancy.context import practice_context
from measurement.models import StakeholderResponse
from measurement.stakeholders import links
from measurement.services.closing import close_point
from measurement.stakeholders.results import WITHHELD
from tests.measurement.conftest import after_grace
from tests.stakeholders.conftest import answer, due_point, link, name, stakeholder_engagement

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(acme, engagement):
    peers = name(acme, engagement, "Peers", 3)
    return engagement, due_point(acme, engagement), peers


def test_a_nominee_answers_and_changes_their_answer(acme, setup):
    engagement, point, peers = setup
    page = Client(HTTP_HOST=acme.host).get(link(acme, point, peers[0]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Build trust quickly" in text and "can't say" in text
    assert "Peers person 1" not in text  # nothing about anyone else
    assert answer(acme, point, peers[0], 7, "Listens more").status_code == 200
    assert answer(acme, point, peers[0], "cant_say", "").status_code == 200
    with practice_context(acme.practice):
        response = StakeholderResponse.objects.get(point=point, nominee=peers[0])
        assert [s.score for s in response.scores.all()] == [None] and response.comment == ""


@pytest.mark.parametrize(("score", "comment", "message"), [
    ("11", "", "Ratings run from 1 to 10"),
    ("0", "", "Ratings run from 1 to 10"),
    ("seven", "", "Ratings run from 1 to 10"),
    ("", "", "Choose a rating from 1 to 10"),
    ("5", "<script>alert(1)</script>", "plain text"),
    ("5", "x" * 1001, "Keep the comment to 1000"),
])
def test_bad_answers_get_a_clear_message(acme, setup, score, comment, message):
    _, point, peers = setup
    response = answer(acme, point, peers[0], score, comment)
    assert response.status_code == 422
    assert message in response.content.decode()
    with practice_context(acme.practice):
        assert not StakeholderResponse.objects.filter(point=point).exists()


def test_a_tampered_link_is_refused(acme, setup):
    _, point, peers = setup
    url = link(acme, point, peers[0])
    response = Client(HTTP_HOST=acme.host).get(url[:-3] + "xx/")
    assert response.status_code == 404 and "not valid" in response.content.decode()


def test_another_practice_s_link_answers_404(acme, globex, setup):
    _, point, peers = setup
    response = Client(HTTP_HOST=globex.host).get(link(acme, point, peers[0]))
    assert response.status_code == 404 and "not valid" in response.content.decode()
    other = stakeholder_engagement(globex)
    name(globex, other, "Peers", 1)
    with practice_context(globex.practice):
        foreign = other.nominees.first()
    # A globex token carrying an acme point id is refused at acme's address too.
    with practice_context(globex.practice):
        token = links.answer_token(point, foreign)
    assert Client(HTTP_HOST=acme.host).get(f"/feedback/{token}/").status_code == 404


def test_a_link_stops_working_when_the_point_closes(acme, setup):
    engagement, point, peers = setup
    answer(acme, point, peers[0], 6)
    with practice_context(acme.practice):
        close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
    response = Client(HTTP_HOST=acme.host).get(link(acme, point, peers[0]))
    assert response.status_code == 410 and "has closed" in response.content.decode()
    assert answer(acme, point, peers[0], 9).status_code == 410
    with practice_context(acme.practice):
        # Closing cut the person from the answer and, one answer being shown nowhere, its group too.
        assert list(StakeholderResponse.objects.filter(point=point).values_list("nominee", "group")) == [(None, WITHHELD)]


def test_a_link_used_after_unsubscribing_says_so(acme, setup):
    _, point, peers = setup
    with practice_context(acme.practice):
        token = links.unsubscribe_token(peers[0])
    client = Client(HTTP_HOST=acme.host)
    assert client.get(f"/feedback/{token}/unsubscribe/").status_code == 200
    assert client.post(f"/feedback/{token}/unsubscribe/").status_code == 200
    response = client.get(link(acme, point, peers[0]))
    assert response.status_code == 410 and "not to be contacted" in response.content.decode()
