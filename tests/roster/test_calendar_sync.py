"""Busy times from a coach's own CalDAV calendars, read by the real `caldav` client from a real
Radicale server: recurrences, overrides, all-day events, other zones, transparency, cancellation,
sync tokens, and a server that fails."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coachhub.roster.calendars import dav
from coachhub.roster.calendars.models import CalendarConnection
from tests.conftest import publish_coach
from tests.roster.calendar_helpers import LONDON, busy_times, connect, local, sync, vevent, weekday_ahead

pytestmark = pytest.mark.django_db

ZONE_BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def coach(acme, in_practice):
    with in_practice(acme):
        yield publish_coach(acme.coach)


def test_a_weekly_event_becomes_busy_blocks_with_its_exception_and_override(acme, in_practice, coach, radicale):
    monday = weekday_ahead(0)
    series = vevent(
        "weekly@x", f";TZID=Europe/Berlin:{local(monday, 10)}", f";TZID=Europe/Berlin:{local(monday, 11)}",
        "RRULE:FREQ=WEEKLY;COUNT=4", f"EXDATE;TZID=Europe/Berlin:{local(monday + timedelta(days=7), 10)}",
    )
    moved = vevent(
        "weekly@x", f";TZID=Europe/Berlin:{local(monday + timedelta(days=14), 15)}",
        f";TZID=Europe/Berlin:{local(monday + timedelta(days=14), 16)}",
        f"RECURRENCE-ID;TZID=Europe/Berlin:{local(monday + timedelta(days=14), 10)}",
    )
    with in_practice(acme):
        # The series and its override are one calendar object (one UID).
        connection, _, _ = connect(radicale, coach, acme.coach, ("Work", [series + moved]))
        outcome = sync(connection)
        assert outcome.status == "ok" and outcome.busy_blocks == 3
        starts = [start.astimezone(ZONE_BERLIN) for start, _ in busy_times(connection)]
    assert [(s.date(), s.hour) for s in starts] == [
        (monday, 10), (monday + timedelta(days=14), 15), (monday + timedelta(days=21), 10),
    ]


def test_an_all_day_event_blocks_the_whole_day_in_the_coach_zone(acme, in_practice, coach, radicale):
    day = weekday_ahead(2)
    with in_practice(acme):
        connection, _, _ = connect(radicale, coach, acme.coach, ("Work", [
            vevent("holiday@x", f";VALUE=DATE:{day:%Y%m%d}", f";VALUE=DATE:{day + timedelta(days=1):%Y%m%d}"),
        ]))
        sync(connection)
        [(start, end)] = busy_times(connection)
    assert start == datetime.combine(day, datetime.min.time(), tzinfo=LONDON)
    assert end == datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=LONDON)


def test_times_written_in_another_zone_land_in_utc(acme, in_practice, coach, radicale):
    day = weekday_ahead(1)
    with in_practice(acme):
        connection, _, _ = connect(radicale, coach, acme.coach, ("Work", [
            vevent("ny@x", f";TZID=America/New_York:{local(day, 9)}", f";TZID=America/New_York:{local(day, 10)}"),
        ]))
        sync(connection)
        [(start, end)] = busy_times(connection)
    assert start == datetime.combine(day, datetime.min.time()).replace(hour=9, tzinfo=NEW_YORK)
    assert end - start == timedelta(hours=1) and start.utcoffset() == timedelta(0)  # stored in UTC


def test_transparent_and_cancelled_events_do_not_make_the_coach_busy(acme, in_practice, coach, radicale):
    day = weekday_ahead(3)
    with in_practice(acme):
        connection, _, _ = connect(radicale, coach, acme.coach, ("Work", [
            vevent("free@x", f":{local(day, 9)}Z", f":{local(day, 10)}Z", "TRANSP:TRANSPARENT"),
            vevent("off@x", f":{local(day, 11)}Z", f":{local(day, 12)}Z", "STATUS:CANCELLED"),
            vevent("busy@x", f":{local(day, 13)}Z", f":{local(day, 14)}Z"),
        ]))
        sync(connection)
        assert [s.hour for s, _ in busy_times(connection)] == [13]
        assert connection.busy_blocks.filter(is_busy=False).count() == 1


def test_an_unchanged_calendar_costs_one_request_and_changes_are_picked_up(acme, in_practice, coach, radicale, monkeypatch):
    day = weekday_ahead(1)
    with in_practice(acme):
        connection, made, _ = connect(radicale, coach, acme.coach, ("Work", [
            vevent("a@x", f":{local(day, 9)}Z", f":{local(day, 10)}Z"),
        ]))
        sync(connection)
        requests = []
        original = dav.request

        def counted(method, url, **kwargs):
            requests.append(method)
            return original(method, url, **kwargs)

        monkeypatch.setattr(dav, "request", counted)
        assert sync(connection).status == "ok"
        assert requests == ["REPORT"]

        made["Work"].delete("a@x")
        made["Work"].save_event(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + vevent("b@x", f":{local(day, 14)}Z", f":{local(day, 15)}Z")
            + "END:VCALENDAR\r\n"
        )
        requests.clear()
        assert sync(connection).busy_blocks == 1
        assert [s.hour for s, _ in busy_times(connection)] == [14]
        assert len(requests) == 2  # the changes, then the changed event in one multiget


def test_a_wrong_password_marks_the_connection_failing_and_keeps_the_last_busy_times(acme, in_practice, coach, radicale):
    day = weekday_ahead(1)
    with in_practice(acme):
        connection, _, (username, _) = connect(radicale, coach, acme.coach, ("Work", [
            vevent("a@x", f":{local(day, 9)}Z", f":{local(day, 10)}Z"),
        ]))
        sync(connection)
        good = CalendarConnection.objects.get(pk=connection.pk).last_good_sync_at
        lines = radicale.users_file.read_text().replace(f"{username}:app-password-1", f"{username}:changed")
        radicale.users_file.write_text(lines)
        outcome = sync(connection)
        connection.refresh_from_db()
    assert outcome.status == "failing" and outcome.busy_blocks == 1
    assert connection.status == "failing" and "refused the sign-in" in connection.failure_reason
    assert connection.last_good_sync_at == good


def test_a_server_gone_mid_sync_marks_failing_and_never_raises(acme, in_practice, coach, tmp_path):
    from tests.radicale import Radicale

    server = Radicale(tmp_path).start()
    try:
        day = weekday_ahead(1)
        with in_practice(acme):
            connection, _, _ = connect(server, coach, acme.coach, ("Work", [
                vevent("a@x", f":{local(day, 9)}Z", f":{local(day, 10)}Z"),
            ]))
            sync(connection)
            server.stop()
            outcome = sync(connection)
            connection.refresh_from_db()
    finally:
        server.stop()
    assert outcome.status == "failing" and outcome.busy_blocks == 1
    assert connection.failure_reason == "The calendar server could not be reached."


def test_unticked_calendars_are_not_read_and_their_busy_times_go(acme, in_practice, coach, radicale):
    from coachhub.roster.calendars import services

    day = weekday_ahead(1)
    with in_practice(acme):
        connection, _, _ = connect(
            radicale, coach, acme.coach,
            ("Work", [vevent("a@x", f":{local(day, 9)}Z", f":{local(day, 10)}Z")]),
            ("Family", [vevent("b@x", f":{local(day, 12)}Z", f":{local(day, 13)}Z")]),
            write_to="Work",
        )
        sync(connection)
        assert len(busy_times(connection)) == 2
        work = connection.calendars.get(name="Work")
        assert work.receives_bookings and not connection.calendars.get(name="Family").receives_bookings
        services.choose_calendars(connection=connection, actor=acme.coach, busy_ids={work.pk}, write_back_id=work.pk)
        sync(connection)
        assert [s.hour for s, _ in busy_times(connection)] == [9]
