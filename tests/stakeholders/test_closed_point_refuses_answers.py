"""A closed point takes no answer: the nominee is told the round has closed (never a 500), and the
database itself refuses an answer or a score written for it, whoever writes — here the application's
own role, in plain SQL. Erasing a comment (retention) stays possible."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from coachhub.tenancy.context import practice_context
from measurement.models import StakeholderResponse
from measurement.services.closing import close_point
from measurement.stakeholders import answers, links
from tests.measurement.conftest import after_grace
from tests.stakeholders.conftest import answer, due_point, link, name

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(acme, engagement):
    """The mid-point closed with three peers' answers; a fourth peer had opened their link before."""
    peers = name(acme, engagement, "Peers", 4)
    point = due_point(acme, engagement)
    for n, peer in enumerate(peers[:3]):
        answer(acme, point, peer, 5 + n, f"comment {n}")
    with practice_context(acme.practice):
        late = links.open_answer_link(link(acme, point, peers[3]).split("/")[2])
        close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
    return point, peers, late


def _refused(sql: str, params: list) -> None:
    with pytest.raises(IntegrityError, match="is closed"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_answer_sent_after_the_close_is_told_the_round_has_closed(acme, closed):
    point, peers, _ = closed
    response = answer(acme, point, peers[3], 9, "too late")
    assert response.status_code == 410 and "This feedback round has closed" in response.content.decode()
    with practice_context(acme.practice):
        assert StakeholderResponse.objects.filter(point=point).count() == 3


def test_a_form_opened_before_the_close_and_sent_after_it_is_refused_by_the_service(acme, closed):
    _, _, late = closed
    with practice_context(acme.practice), pytest.raises(links.LinkRefused, match="has closed") as refusal:
        answers.answer_as_nominee(invitation=late, scores={o.pk: 9 for o in answers.rated_objectives(late.point)}, comment="")
    assert refusal.value.status == 410


def test_the_database_refuses_an_answer_inserted_for_a_closed_point(acme, closed):
    point, _, _ = closed
    with practice_context(acme.practice):
        _refused(
            'INSERT INTO measurement_stakeholderresponse (practice_id, point_id, "group", comment, created_at, updated_at)'
            " VALUES (%s, %s, 'Peers', 'slipped in', now(), now())",
            [acme.practice.pk, point.pk],
        )


def test_the_database_refuses_changing_or_adding_a_score_of_a_closed_point(acme, closed):
    point, _, _ = closed
    with practice_context(acme.practice):
        response = StakeholderResponse.objects.filter(point=point).prefetch_related("scores").first()
        score = response.scores.first()
        _refused("UPDATE measurement_stakeholderscore SET score = 1 WHERE id = %s", [score.pk])
        _refused("UPDATE measurement_stakeholderresponse SET \"group\" = 'Direct reports' WHERE id = %s", [response.pk])
        _refused("UPDATE measurement_stakeholderresponse SET comment = 'rewritten' WHERE id = %s", [response.pk])
        _refused("DELETE FROM measurement_stakeholderscore WHERE id = %s; INSERT INTO measurement_stakeholderscore"
                 " (practice_id, response_id, objective_id, score, created_at, updated_at) VALUES (%s, %s, %s, 10, now(), now())",
                 [score.pk, acme.practice.pk, response.pk, score.objective_id])


def test_a_comment_of_a_closed_point_can_still_be_erased(acme, closed):
    point, _, _ = closed
    with practice_context(acme.practice):
        erased = StakeholderResponse.objects.filter(point=point).exclude(comment="").update(comment="")
        assert erased == 3
        assert not StakeholderResponse.objects.filter(point=point).exclude(comment="").exists()
