"""Invitations and reminders to nominees: sent once each from the outbox, with the personal link and
a one-click unsubscribe; reminders only to those who have not answered, then weekly until the point
closes."""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from datetime import timedelta

import pytest
from django.test import Client

from coachhub.tenancy.context import practice_context
from measurement.services.closing import close_point
from measurement.stakeholders import nominations
from reminders import stakeholders
from reminders.models import NomineeMessage
from tests.measurement.conftest import after_grace
from tests.stakeholders.conftest import answer, due_point, name

pytestmark = pytest.mark.django_db


def dispatch(cast, now=None):
    return stakeholders.dispatch_nominee_messages(practice=cast.practice, now=now)


def test_each_nominee_is_invited_once_with_a_link_that_works(acme, engagement, mailoutbox):
    peers = name(acme, engagement, "Peers", 3)
    point = due_point(acme, engagement)
    assert dispatch(acme).sent == 3
    assert dispatch(acme).sent == 0  # exactly once
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in peers)
    message = mailoutbox[0]
    assert "would value your feedback" in message.subject
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<html" in message.alternatives[0][0]
    path = urlsplit(re.search(r"https?://\S+/feedback/\S+/", message.body).group(0)).path
    assert Client(HTTP_HOST=acme.host).get(path).status_code == 200
    # Nothing in an invitation names the other nominees.
    assert all(p.name not in message.body for p in peers if p.email != message.to[0])
    with practice_context(acme.practice):
        assert NomineeMessage.objects.filter(point=point, kind="stakeholder_invitation", state="sent").count() == 3


def test_reminders_go_to_those_who_have_not_answered_then_weekly(acme, engagement, mailoutbox):
    peers = name(acme, engagement, "Peers", 3)
    point = due_point(acme, engagement)
    dispatch(acme)
    answer(acme, point, peers[0], 7)
    mailoutbox.clear()
    first = point.fell_due_at + stakeholders.FIRST_REMINDER_AFTER + timedelta(minutes=1)
    assert dispatch(acme, now=first).sent == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in peers[1:])
    assert all(m.subject.startswith("Reminder:") for m in mailoutbox)
    assert dispatch(acme, now=first).sent == 0
    answer(acme, point, peers[1], 5)
    mailoutbox.clear()
    assert dispatch(acme, now=first + timedelta(days=7)).sent == 1
    assert [m.to[0] for m in mailoutbox] == [peers[2].email]


def test_someone_named_while_the_point_is_open_is_invited_once_the_coach_approves(acme, engagement, mailoutbox):
    name(acme, engagement, "Peers", 1)
    due_point(acme, engagement)
    dispatch(acme)
    late = name(acme, engagement, "Direct reports", 1, start=5, approve=False)[0]
    mailoutbox.clear()
    assert dispatch(acme).sent == 0 and not mailoutbox
    with practice_context(acme.practice):
        nominations.approve_nominee(nominee=late, actor=engagement.coach)
    assert dispatch(acme).sent == 1 and mailoutbox[0].to == [late.email]


def test_nothing_goes_after_closing_or_unsubscribing(acme, engagement, mailoutbox):
    peers = name(acme, engagement, "Peers", 3)
    point = due_point(acme, engagement)
    dispatch(acme)
    with practice_context(acme.practice):
        from measurement.stakeholders.nominations import unsubscribe_nominee

        unsubscribe_nominee(nominee=peers[0])
    mailoutbox.clear()
    first = point.fell_due_at + stakeholders.FIRST_REMINDER_AFTER + timedelta(minutes=1)
    assert dispatch(acme, now=first).sent == 2
    with practice_context(acme.practice):
        close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
    mailoutbox.clear()
    assert dispatch(acme, now=first + timedelta(days=30)).sent == 0 and not mailoutbox
