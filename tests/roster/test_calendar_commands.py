"""`connect_calendar` and `sync_calendars`, with the output their interface promises."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from coachhub.roster.calendars.models import CalendarConnection
from tests.conftest import publish_coach
from tests.roster.calendar_helpers import ics, local, vevent, weekday_ahead

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_connect_then_sync_prints_one_line_per_connection(acme, globex, in_practice, radicale, live_server_ics):
    with in_practice(acme):
        publish_coach(acme.coach)
    username, password = radicale.add_user()
    day = weekday_ahead(1)
    radicale.make_calendar(username, password, "Work").save_event(ics(vevent("a@x", f":{local(day, 9)}Z", f":{local(day, 10)}Z")))
    radicale.make_calendar(username, password, "Family")
    out = run("connect_calendar", "--practice", "acme", "--coach", acme.coach.email, "--caldav", radicale.url,
              "--username", username, "--password", password, "--calendar", "Family")
    assert "calendar 'Family': busy, bookings go here" in out and "calendar 'Work': busy" in out
    assert password not in out
    url = live_server_ics(vevent("b@x", f":{local(day, 12)}Z", f":{local(day, 13)}Z"),
                          vevent("c@x", f":{local(day, 14)}Z", f":{local(day, 15)}Z"))
    with in_practice(globex):
        publish_coach(globex.coach)
    run("connect_calendar", "--practice", "globex", "--coach", globex.coach.email, "--ical", url)

    assert run("sync_calendars", "--practice", "acme").splitlines() == [
        f"calendar_sync coach={acme.coach.email} busy_blocks=1 status=ok",
    ]
    live_server_ics.server.body = "nonsense"
    assert run("sync_calendars").splitlines() == [
        f"calendar_sync coach={acme.coach.email} busy_blocks=1 status=ok",
        f"calendar_sync coach={globex.coach.email} busy_blocks=0 status=failing",
    ]


def test_connect_calendar_explains_what_is_wrong(acme, in_practice, radicale):
    with in_practice(acme):
        publish_coach(acme.coach)
    username, _ = radicale.add_user()
    with pytest.raises(CommandError, match="refused the sign-in"):
        run("connect_calendar", "--practice", "acme", "--coach", acme.coach.email, "--caldav", radicale.url,
            "--username", username, "--password", "wrong")
    with pytest.raises(CommandError, match="not a coach of acme"):
        run("connect_calendar", "--practice", "acme", "--coach", acme.coachee.email, "--ical", "https://example.com/x.ics")
    with pytest.raises(CommandError, match="No practice"):
        run("connect_calendar", "--practice", "nope", "--coach", acme.coach.email, "--ical", "https://example.com/x.ics")
    with in_practice(acme):
        assert not CalendarConnection.objects.exists()
