"""From iCalendar text to busy blocks: plain functions, no Django, no network.

RFC 5545 as calendars write it: recurrences expanded (RRULE, RDATE, EXDATE, RECURRENCE-ID
overrides; `recurring-ical-events`) within the window only, so a rule without an end costs no
more than the window; all-day events block whole days in the coach's zone; TRANSP:TRANSPARENT
makes an event free, STATUS:CANCELLED drops it; zones from VTIMEZONE, or X-WR-TIMEZONE for
calendars (Google's) that only name one (`x-wr-timezone`), and floating times in the coach's zone.
Events that cannot be read (no start, an end before the start, a zone that does not exist) are
skipped, never the whole calendar. Only start, end and busy-or-free come out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
import x_wr_timezone
from icalendar import Calendar

UTC = ZoneInfo("UTC")
# More blocks than this from one source is not a calendar a person keeps; the rest are dropped.
MAX_BLOCKS_PER_SOURCE = 5000


class MalformedCalendar(ValueError):
    """The text is not iCalendar at all."""


@dataclass(frozen=True)
class Block:
    starts_at: datetime
    ends_at: datetime
    is_busy: bool


def parse(text: str | bytes) -> Calendar:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if "BEGIN:VCALENDAR" not in text[:4096].upper():
        raise MalformedCalendar("The address did not give an iCalendar file.")
    try:
        calendar = Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError):
        raise MalformedCalendar("The calendar could not be read: it is not valid iCalendar.") from None
    try:
        return x_wr_timezone.to_standard(calendar)
    except Exception:  # noqa: BLE001 - an X-WR-TIMEZONE naming no zone: read the calendar as it is
        return calendar


def blocks(calendar: Calendar, *, window_start: datetime, window_end: datetime, zone: ZoneInfo,
           skip_uid: Callable[[str], bool] | None = None) -> list[Block]:
    """The calendar's events between the two moments as busy/free blocks in UTC, clipped to the window.
    Events whose UID `skip_uid` accepts are left out (our own bookings, written back)."""
    _drop_impossible_events(calendar, zone)
    try:
        occurrences = list(_occurrences(calendar, window_start, window_end))
    except Exception:  # noqa: BLE001 - one unreadable event: expand event by event, skipping it
        occurrences = []
        for single in _one_calendar_per_event(calendar):
            try:
                occurrences.extend(_occurrences(single, window_start, window_end))
            except Exception:  # noqa: BLE001, S112 - that event is skipped, the rest count
                continue
    found = []
    for event in occurrences:
        if skip_uid is not None and skip_uid(str(event.get("UID", ""))):
            continue
        block = _block(event, zone)
        if block is None:
            continue
        start, end = max(block.starts_at, window_start), min(block.ends_at, window_end)
        if start < end:
            found.append(Block(start, end, block.is_busy))
            if len(found) >= MAX_BLOCKS_PER_SOURCE:
                break
    return found


def _drop_impossible_events(calendar: Calendar, zone: ZoneInfo) -> None:
    """Events without a start or ending before they start say nothing reliable: leave them out
    (the expander would otherwise swap their ends)."""
    for component in [calendar, *calendar.walk()]:
        kept = []
        for sub in component.subcomponents:
            if sub.name == "VEVENT" and not _plausible(sub, zone):
                continue
            kept.append(sub)
        component.subcomponents[:] = kept


def _plausible(event, zone: ZoneInfo) -> bool:
    if event.get("DTSTART") is None:
        return False
    if event.get("DTEND") is None:
        return True
    try:
        start, end = _moment(event["DTSTART"].dt, zone), _moment(event["DTEND"].dt, zone)
    except (ValueError, OverflowError, TypeError, AttributeError):
        return False
    return start is not None and end is not None and start <= end


def _occurrences(calendar: Calendar, window_start: datetime, window_end: datetime):
    query = recurring_ical_events.of(calendar, components=["VEVENT"], skip_bad_series=True)
    return query.between(window_start, window_end)


def _one_calendar_per_event(calendar: Calendar):
    zones = [component for component in calendar.subcomponents if component.name == "VTIMEZONE"]
    by_uid: dict[str, list] = {}
    for component in calendar.walk("VEVENT"):
        by_uid.setdefault(str(component.get("UID", id(component))), []).append(component)
    for events in by_uid.values():
        single = Calendar()
        for component in [*zones, *events]:
            single.add_component(component)
        yield single


def _moment(value, zone: ZoneInfo) -> datetime | None:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            value = value.replace(tzinfo=zone)  # floating time: the coach's own clock
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)
    return None


def _block(event, zone: ZoneInfo) -> Block | None:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    dtstart = event.get("DTSTART")
    if dtstart is None:
        return None
    start_value = dtstart.dt
    if event.get("DTEND") is not None:
        end_value = event["DTEND"].dt
    elif event.get("DURATION") is not None:
        end_value = start_value + event["DURATION"].dt
    elif isinstance(start_value, datetime):
        return None  # no end and no duration: an instant, which occupies no time (RFC 5545 3.6.1)
    else:
        end_value = start_value + timedelta(days=1)  # an all-day event without an end: that day
    try:
        start, end = _moment(start_value, zone), _moment(end_value, zone)
    except (ValueError, OverflowError, TypeError):
        return None
    if start is None or end is None or end <= start:
        return None
    is_busy = str(event.get("TRANSP", "OPAQUE")).upper() != "TRANSPARENT"
    return Block(start, end, is_busy)
