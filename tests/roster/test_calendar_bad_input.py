"""Calendar addresses are fetched server-side: the request-forgery rules, and the bad input of the
issue (private addresses, file://, a 50 MB calendar, broken events, a 401, a server that never
answers) each give a clear message, never a 500 and never a hung worker."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from coachhub.roster.calendars import busy
from coachhub.roster.calendars.fetch import CalendarFetchError, check_url, fetch_ical
from coachhub.roster.calendars.models import CalendarConnection
from tests.conftest import client_at, publish_coach
from tests.radicale import NastyServer
from tests.roster.calendar_helpers import ics, local, sync, vevent, weekday_ahead

PAGE = "/roster/me/calendars/"
UTC = ZoneInfo("UTC")
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize("url, message", [
    ("http://127.0.0.1:5232/", "private network"),
    ("http://localhost/cal.ics", "private network"),
    ("http://10.1.2.3/cal.ics", "private network"),
    ("http://[::1]/cal.ics", "private network"),
    ("http://169.254.169.254/latest/meta-data/", "private network"),
    ("http://[::ffff:127.0.0.1]/", "private network"),
    ("file:///etc/passwd", "Only http:// and https://"),
    ("gopher://example.com/", "Only http:// and https://"),
    ("https://user:pass@calendar.example.com/cal.ics", "Leave the user name and password out"),
    ("https:///nohost", "no server name"),
    ("http://[not-an-ip/", "not a valid web address"),
])
def test_addresses_that_may_not_be_fetched_are_refused_with_a_reason(settings, url, message):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(CalendarFetchError, match=message):
        check_url(url)


def test_the_setting_opens_private_addresses_but_never_cloud_metadata(settings):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = True
    assert check_url("http://127.0.0.1:5232/") == "http://127.0.0.1:5232/"
    with pytest.raises(CalendarFetchError, match="private network"):
        check_url("http://169.254.169.254/latest/meta-data/")


@pytest.mark.django_db
def test_a_private_address_on_the_page_is_a_message_next_to_the_field(acme, in_practice, settings):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    with in_practice(acme):
        publish_coach(acme.coach)
    client = client_at(acme, acme.coach)
    for url in ("http://127.0.0.1/x.ics", "http://169.254.169.254/", "file:///etc/passwd"):
        response = client.post(PAGE + "ical/", {"ical_url": url})
        assert response.status_code == 422
        assert "field-error" in response.content.decode()
    response = client.post(PAGE + "caldav/", {"url": "http://127.0.0.1:5232/", "username": "a", "password": "b"})
    assert response.status_code == 422 and "private network" in response.content.decode()
    with in_practice(acme):
        assert not CalendarConnection.objects.exists()


def test_a_50_mb_calendar_is_refused_without_reading_it(settings):
    server = NastyServer("huge")
    try:
        with pytest.raises(CalendarFetchError, match="larger than 10 MB"):
            fetch_ical(server.url)
    finally:
        server.close()


def test_a_server_that_never_answers_gives_up_in_time(settings):
    settings.CALENDAR_TIMEOUT_SECONDS = 1
    server = NastyServer("silent")
    started = time.monotonic()
    try:
        with pytest.raises(CalendarFetchError, match="did not answer in time"):
            fetch_ical(server.url)
    finally:
        server.close()
    assert time.monotonic() - started < 5


def test_an_answer_broken_off_midway_is_a_failure_not_a_crash(settings):
    settings.CALENDAR_TIMEOUT_SECONDS = 2
    server = NastyServer("break")
    try:
        with pytest.raises(CalendarFetchError):
            fetch_ical(server.url)
    finally:
        server.close()


WINDOW = {"window_start": datetime(2027, 1, 1, tzinfo=UTC), "window_end": datetime(2027, 3, 1, tzinfo=UTC), "zone": LONDON}


def test_broken_events_are_skipped_and_the_rest_count():
    calendar = busy.parse(ics(
        vevent("no-end@x", ":20270104T100000Z"),  # an instant: occupies no time
        vevent("backwards@x", ":20270105T110000Z", ":20270105T100000Z"),
        vevent("mars@x", ";TZID=Mars/Olympus:20270106T100000", ";TZID=Mars/Olympus:20270106T110000"),
        vevent("good@x", ":20270107T100000Z", ":20270107T110000Z"),
    ))
    blocks = busy.blocks(calendar, **WINDOW)
    starts = {b.starts_at.date().day for b in blocks}
    assert 7 in starts and 4 not in starts and 5 not in starts


def test_a_rule_without_end_expands_only_within_the_window():
    calendar = busy.parse(ics(vevent("daily@x", ":20270101T090000Z", ":20270101T093000Z", "RRULE:FREQ=DAILY")))
    assert len(busy.blocks(calendar, **WINDOW)) == 59


def test_a_zone_that_does_not_exist_in_x_wr_timezone_does_not_stop_the_calendar():
    calendar = busy.parse(ics(vevent("a@x", ":20270104T100000", ":20270104T110000"), extra="X-WR-TIMEZONE:Nowhere/Land\r\n"))
    [block] = busy.blocks(calendar, **WINDOW)
    assert block.starts_at == datetime(2027, 1, 4, 10, tzinfo=LONDON)  # floating: the coach's clock


@pytest.mark.parametrize("text", ["", "hello", "<html>Sign in</html>", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:nonsense\r\n"])
def test_text_that_is_not_icalendar_is_malformed(text):
    with pytest.raises(busy.MalformedCalendar):
        busy.blocks(busy.parse(text), **WINDOW)


@pytest.mark.django_db
def test_a_subscription_turning_malformed_marks_the_connection_failing(acme, in_practice, live_server_ics):
    day = weekday_ahead(1)
    url = live_server_ics(vevent("a@x", f":{local(day, 9)}Z", f":{local(day, 10)}Z"))
    with in_practice(acme):
        profile = publish_coach(acme.coach)
        from coachhub.roster.calendars.services import connect_ical

        connection = connect_ical(profile=profile, actor=acme.coach, url=url)
        assert sync(connection).status == "ok"
        live_server_ics.server.body = "<html>Sign in</html>"
        outcome = sync(connection)
        connection.refresh_from_db()
    assert outcome.status == "failing" and outcome.busy_blocks == 1
    assert "iCalendar" in connection.failure_reason
    page = client_at(acme, acme.coach).get(PAGE).content.decode()
    assert "The last sync failed" in page and url not in page
