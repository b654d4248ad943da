"""Measurement fixtures: acme's coachee2 and coach in an active engagement whose contract (6
sessions, one objective rated by coachee, coach and sponsor: baseline 4, target 7) everyone
accepted, and helpers that hold sessions and rate through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from engagements.access import party_role
from engagements.models import Engagement
from measurement.services.rating import rate_point
from measurement.models import MeasurementPoint
from tests.conftest import PracticeCast
from tests.sessions.conftest import active_engagement, log, past_session


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Progress PDFs are stored under a throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def engagement(acme) -> Engagement:
    return active_engagement(acme)


def hold_sessions(cast: PracticeCast, engagement: Engagement, count: int, *, first: int = 1) -> None:
    """`count` past sessions, logged as held by the coach (which makes points fall due)."""
    for number in range(first, first + count):
        log(cast, past_session(cast, engagement, days_ago=40 - 3 * number, number=number))


def point_of(cast: PracticeCast, engagement: Engagement, kind: str = "mid") -> MeasurementPoint:
    with practice_context(cast.practice):
        return MeasurementPoint.objects.select_related("version").get(engagement=engagement, kind=kind)


def rate(cast: PracticeCast, point: MeasurementPoint, user, score: int, comment: str = "", **options):
    with practice_context(cast.practice):
        objectives = [o for o in point.version.objectives.all() if party_role(user, point.version) in o.raters]
        return rate_point(point=point, rater=user, answers={o.pk: (score, comment) for o in objectives}, **options)


def due_mid_point(cast: PracticeCast, engagement: Engagement) -> MeasurementPoint:
    hold_sessions(cast, engagement, 3)
    point = point_of(cast, engagement)
    assert point.fell_due_at is not None
    return point


def after_grace(cast: PracticeCast, point: MeasurementPoint):
    return point.fell_due_at + timedelta(days=cast.practice.measurement_grace_days, minutes=1)


def now():
    return timezone.now()
