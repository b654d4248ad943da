"""With Redis refusing connections the web app keeps serving, bookings still arm their reminders in
the database, and the email the booking queued is sent from the request instead, with a log line."""

import logging
import re

import pytest
from django.test import Client

from coachhub import celery_app
from reminders.models import Reminder
from coachhub.tenancy.tasks import PracticeTask
from coachhub.tenancy.context import practice_context
from tests.reminders.conftest import coach_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(settings):
    """The real broker client, pointed at a port where nothing listens."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "broker-down"}}
    celery_app.conf.task_always_eager = False
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    celery_app._pool, celery_app.amqp._producer_pool = None, None
    PracticeTask._broker_down_until = 0.0
    yield
    PracticeTask._broker_down_until = 0.0
    celery_app.conf.broker_url = saved
    celery_app._pool, celery_app.amqp._producer_pool = None, None
    celery_app.conf.task_always_eager = True


def test_a_booking_with_the_broker_down_succeeds_arms_its_reminders_and_says_so_in_the_log(acme, broker_down, committed, mailoutbox, caplog):
    from tests.reminders.conftest import UTC
    from datetime import timedelta

    from django.utils import timezone

    from coachhub.roster.slots import free_slots

    caplog.set_level(logging.WARNING, logger="coachhub.tenancy.tasks")
    profile = coach_profile(acme)
    with practice_context(acme.practice):
        first = timezone.now().date() + timedelta(days=3)
        start = free_slots(profile, first_day=first, last_day=first + timedelta(days=7), zone=UTC)[0]
    with committed():
        response = Client(HTTP_HOST=acme.host).post(f"/coaches/{profile.pk}/", {
            "start": start.isoformat(), "tz": "Europe/London", "name": "Lee Leader", "email": "leader@example.com",
            "objectives": "Lead my team through a merger.",
        })
    assert response.status_code == 302
    with practice_context(acme.practice):
        assert Reminder.objects.filter(state="pending").count() == 5
    assert re.search(r"broker unavailable \(.*refused.*\): running .*deliver_email in this process instead", caplog.text)
    # The second email did not wait for the broker again: this process remembers it is down for a while.
    assert "broker unavailable (seen in the last 30 s)" in caplog.text
    assert {m.to[0] for m in mailoutbox} >= {"leader@example.com"}  # late rather than never
