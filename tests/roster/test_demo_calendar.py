"""The demo: coach@ of acme subscribes to the app's own DEBUG-only feed of weekly board meetings
(Wednesdays 10:00–12:00 London), so the directory shows those hours as busy."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from coachhub.roster.calendars.models import CalendarConnection
from coachhub.roster.calendars.sync import secrets_of, sync_connection
from coachhub.roster.models import CoachProfile
from coachhub.roster.slots import free_slots
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def test_the_demo_coach_is_busy_on_wednesday_mornings_and_free_around_them():
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    acme = Practice.objects.get(slug="acme")
    with practice_context(acme):
        connection = CalendarConnection.objects.get()
        profile = CoachProfile.objects.get(user__email="coach@acme.example")
        assert connection.coach == profile and connection.busy_blocks.exists()
        today = timezone.now().astimezone(LONDON).date()
        slots = free_slots(profile, first_day=today + timedelta(days=2), last_day=today + timedelta(days=16), zone=LONDON)
    wednesday = [s for s in slots if s.weekday() == 2]
    # 30-minute calls with a 15-minute buffer: 09:00 still ends in time, 12:30 is the next one.
    assert wednesday and not [s for s in wednesday if (9, 30) <= (s.hour, s.minute) < (12, 30)]
    assert any((s.hour, s.minute) == (12, 30) for s in wednesday)


def test_the_demo_feed_is_served_in_debug_and_syncs_through_the_ordinary_fetch(live_server, settings):
    call_command("seed_demo")
    acme = Practice.objects.get(slug="acme")
    with practice_context(acme):
        connection = CalendarConnection.objects.get()
        assert secrets_of(connection)["url"].endswith("/demo/calendars/board-meetings.ics")
    assert Client(HTTP_HOST="localhost").get("/demo/calendars/board-meetings.ics").status_code == 404  # DEBUG off
    settings.DEBUG = True
    body = Client(HTTP_HOST="localhost").get("/demo/calendars/board-meetings.ics").content.decode()
    assert "Board meeting" in body and "RRULE:FREQ=WEEKLY;BYDAY=WE" in body
    settings.WEB_PORT = int(live_server.url.rsplit(":", 1)[1])
    from coachhub.roster.calendars.sync import seal

    with practice_context(acme):
        from demo.calendars import feed_url

        CalendarConnection.objects.filter(pk=connection.pk).update(secret_ciphertext=seal({"url": feed_url()}))
    outcome = sync_connection(practice=acme, connection_id=connection.pk)
    assert outcome.status == "ok" and outcome.busy_blocks >= 8
