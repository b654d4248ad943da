"""Home pages list the measurement points waiting for the person's own ratings, and only those."""

from __future__ import annotations

from tests.conftest import client_at
from tests.measurement.conftest import due_mid_point, rate


def _lists(cast, person, point) -> bool:
    return f"/progress/points/{point.pk}/" in client_at(cast, person).get("/").content.decode()


def test_each_rater_finds_the_due_point_on_their_home_page_until_they_rated(acme, engagement):
    point = due_mid_point(acme, engagement)
    assert _lists(acme, engagement.coachee, point) and _lists(acme, engagement.coach, point)
    rate(acme, point, engagement.coachee, 6)
    assert not _lists(acme, engagement.coachee, point) and _lists(acme, engagement.coach, point)


def test_nobody_else_is_asked_to_rate(acme, engagement):
    point = due_mid_point(acme, engagement)
    assert not _lists(acme, acme.coach2, point) and not _lists(acme, acme.coachee, point)


def test_the_coach_is_told_when_a_point_may_be_closed(acme, engagement):
    from datetime import timedelta

    from coachhub.tenancy.context import practice_context
    from measurement.models import MeasurementPoint

    point = due_mid_point(acme, engagement)
    for person in (engagement.coachee, engagement.coach):
        rate(acme, point, person, 6)
    assert "Measurement points you may close" not in client_at(acme, engagement.coach).get("/").content.decode()
    with practice_context(acme.practice):
        MeasurementPoint.objects.filter(pk=point.pk).update(fell_due_at=point.fell_due_at - timedelta(days=30))
    page = client_at(acme, engagement.coach).get("/").content.decode()
    assert "Measurement points you may close" in page and f"/progress/points/{point.pk}/" in page
