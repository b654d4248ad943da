"""The stakeholder outbox of a point (invitations, reminders, which were sent, which were cancelled
because the nominee had answered) goes with its close, however it closes: by the coach, by itself on
its date, or because the next point fell due. Until then nominees are chased as before; a reminder
being handed over as the point closes arms no next one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.mail.backends import locmem
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from measurement.models import MeasurementPoint
from measurement.services.closing import close_baseline_rounds_today, close_point
from reminders import stakeholders as nominee_emails
from reminders.models import NomineeMessage
from tests.measurement.conftest import after_grace, hold_sessions, point_of
from tests.stakeholders.conftest import answer, due_point, name, stakeholder_engagement

pytestmark = pytest.mark.django_db


@pytest.fixture
def engagement(acme):
    return stakeholder_engagement(acme)


def dispatch(cast, now=None):
    return nominee_emails.dispatch_nominee_messages(practice=cast.practice, now=now)


def outbox_of(cast, point) -> list[NomineeMessage]:
    with practice_context(cast.practice):
        return list(NomineeMessage.objects.filter(point=point))


def chased(cast, point, peers):
    """Invited, one answers, the others are reminded: the outbox now tells who answered."""
    dispatch(cast)
    answer(cast, point, peers[0], 6)
    assert dispatch(cast, now=point.fell_due_at + nominee_emails.FIRST_REMINDER_AFTER + timedelta(minutes=1)).sent == 2
    states = {(m.nominee_id, m.kind, m.state) for m in outbox_of(cast, point)}
    assert (peers[0].pk, "stakeholder_reminder", "cancelled") in states


def test_the_coach_closing_the_point_deletes_its_outbox(acme, engagement):
    peers = name(acme, engagement, "Peers", 3)
    point = due_point(acme, engagement)
    chased(acme, point, peers)
    with practice_context(acme.practice):
        close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
    assert outbox_of(acme, point) == []


def test_a_baseline_round_closing_on_its_date_deletes_its_outbox(acme):
    engagement = stakeholder_engagement(acme, baseline=True)
    peers = name(acme, engagement, "Peers", 3)
    baseline = point_of(acme, engagement, "baseline")
    chased(acme, baseline, peers)
    with practice_context(acme.practice):
        MeasurementPoint.objects.filter(pk=baseline.pk).update(closes_on=timezone.localdate())
        assert close_baseline_rounds_today(practice=acme.practice) == 1
    assert outbox_of(acme, baseline) == []


def test_a_baseline_round_closed_by_the_next_point_falling_due_deletes_its_outbox(acme):
    engagement = stakeholder_engagement(acme, baseline=True)
    peers = name(acme, engagement, "Peers", 3)
    baseline = point_of(acme, engagement, "baseline")
    chased(acme, baseline, peers)
    hold_sessions(acme, engagement, 3)
    assert point_of(acme, engagement, "baseline").is_closed
    assert outbox_of(acme, baseline) == []


def test_a_reminder_handed_over_as_the_point_closes_arms_no_next_one(acme, engagement, monkeypatch, mailoutbox):
    peers = name(acme, engagement, "Peers", 3)
    point = due_point(acme, engagement)
    dispatch(acme)

    class ClosesThePointWhileSending(locmem.EmailBackend):
        def send_messages(self, messages):
            if not MeasurementPoint.objects.filter(pk=point.pk, closed_at__isnull=False).exists():
                close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
            return super().send_messages(messages)

    def connection(**options):
        return ClosesThePointWhileSending(**options)

    monkeypatch.setattr(nominee_emails, "get_connection", connection)
    with practice_context(acme.practice):
        sent = dispatch(acme, now=point.fell_due_at + nominee_emails.FIRST_REMINDER_AFTER + timedelta(minutes=1))
    assert sent.claimed == 3
    assert outbox_of(acme, point) == []
    assert dispatch(acme, now=point.fell_due_at + timedelta(days=30)).claimed == 0
