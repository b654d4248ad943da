"""iCalendar (.ics) for bookings: invites that Outlook, Google and Apple show at the same hour.

Times are written in UTC (the `Z` form), so no client has to interpret a time zone. One UID
per call; a change raises SEQUENCE so calendars update the same event; cancellation sends
METHOD:CANCEL with STATUS:CANCELLED.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timezone as dt_timezone

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(dt_timezone.utc)


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//CoachHub//Bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def _event(*, uid: str, sequence: int, starts_at: datetime, ends_at: datetime, summary: str,
           description: str, location: str, organiser: tuple[str, str], attendees: list[tuple[str, str]],
           cancelled: bool) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(timezone.now()))
    event.add("dtstart", _utc(starts_at))
    event.add("dtend", _utc(ends_at))
    event.add("summary", summary)
    event.add("description", description)
    if location:
        event.add("location", location)
        event.add("url", location)
    name, email = organiser
    organizer = vCalAddress(f"mailto:{email}")
    organizer.params["cn"] = vText(name)
    event["organizer"] = organizer
    for name, email in attendees:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def invite(*, cancelled: bool = False, **event) -> str:
    """One event as a REQUEST (new or changed) or CANCEL, ready to attach to an email."""
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    calendar.add_component(_event(cancelled=cancelled, **event))
    return calendar.to_ical().decode()


def meeting_attachment(
    *, filename: str, uid: str, sequence: int, booking, title: str, about: str, leader, coach,
    video_link: str, cancelled: bool = False,
) -> tuple[str, str, str]:
    """A leader–coach meeting's invite as an email attachment (filename, text, MIME type):
    the coach organises, both attend, the video link is the location."""
    ics = invite(
        uid=uid, sequence=sequence, starts_at=booking.starts_at, ends_at=booking.ends_at,
        summary=f"{title}: {leader} and {coach}",
        description=about + (f"\nJoin the video call: {video_link}" if video_link else ""),
        location=video_link,
        organiser=(str(coach), coach.email),
        attendees=[(str(leader), leader.email), (str(coach), coach.email)],
        cancelled=cancelled,
    )
    # Django adds the charset itself.
    return (filename, ics, f"text/calendar; method={'CANCEL' if cancelled else 'REQUEST'}")


def feed(name: str, events: list[dict]) -> str:
    """A subscribable calendar (no METHOD) of many events."""
    calendar = _calendar(None)
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(_event(cancelled=False, **event))
    return calendar.to_ical().decode()


def stored_event(*, uid: str, sequence: int, starts_at: datetime, ends_at: datetime, summary: str,
                 description: str, location: str, organiser: tuple[str, str]) -> str:
    """One event as stored in a coach's own calendar (CalDAV write-back): no METHOD, no attendees."""
    calendar = _calendar(None)
    calendar.add_component(_event(
        uid=uid, sequence=sequence, starts_at=starts_at, ends_at=ends_at, summary=summary, description=description,
        location=location, organiser=organiser, attendees=[], cancelled=False,
    ))
    return calendar.to_ical().decode()
