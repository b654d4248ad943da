"""Helpers for the coach-calendar tests: events as iCalendar text, dates ahead, connecting."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from coachhub.roster.calendars import services
from coachhub.roster.calendars.sync import sync_connection

UTC = ZoneInfo("UTC")
LONDON = ZoneInfo("Europe/London")


def weekday_ahead(weekday: int, weeks: int = 1) -> date:
    """The date of `weekday` (0 = Monday) at least `weeks` weeks from today."""
    today = timezone.now().date() + timedelta(days=7 * weeks)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def ics(*events: str, extra: str = "") -> str:
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n" + extra + "".join(events) + "END:VCALENDAR\r\n"


def vevent(uid: str, start: str, end: str | None = None, *lines: str) -> str:
    """`start`/`end` are full property lines' values with parameters, e.g. ';TZID=Europe/Berlin:20270104T100000'."""
    body = [f"UID:{uid}", "DTSTAMP:20260101T000000Z", f"DTSTART{start}", "SUMMARY:Board meeting (private)"]
    if end is not None:
        body.append(f"DTEND{end}")
    body += list(lines)
    return "BEGIN:VEVENT\r\n" + "\r\n".join(body) + "\r\nEND:VEVENT\r\n"


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(":%Y%m%dT%H%M%SZ")


def local(day: date, hour: int, minute: int = 0) -> str:
    return f"{day:%Y%m%d}T{hour:02d}{minute:02d}00"


def connect(radicale, profile, actor, *calendars: tuple[str, list[str]], write_to: str = ""):
    """A Radicale user with these calendars (name, events), connected by `profile`'s coach and synced."""
    username, password = radicale.add_user()
    made = {}
    for name, events in calendars:
        made[name] = radicale.make_calendar(username, password, name)
        for event in events:
            made[name].save_event(ics(event))
    connection = services.connect_caldav(profile=profile, actor=actor, url=radicale.url, username=username,
                                         password=password, calendar_name=write_to)
    return connection, made, (username, password)


def sync(connection):
    return sync_connection(practice=connection.practice, connection_id=connection.pk)


def busy_times(connection) -> list[tuple[datetime, datetime]]:
    return [(b.starts_at, b.ends_at) for b in connection.busy_blocks.filter(is_busy=True).order_by("starts_at")]
