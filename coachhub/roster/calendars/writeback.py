"""Write-back: every booking, move and cancellation of a chemistry call, contracting or coaching
session lands in the coach's chosen CalDAV calendar, with the UID of the emailed invite and its
SEQUENCE, so a calendar holding both shows one event.

The journey's layers call services.queue_write_back (engagements, sessions: above the roster) from
their services or event subscribers; it only queues a task after commit, so a calendar server never
blocks or undoes a booking. The task retries with backoff; a failure shows on the coach's
connections page until a later write succeeds. The event names the kind of meeting and the
practice, never the leader's objectives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from coachhub.roster import calendar as ics
from coachhub.roster.calendars import dav
from coachhub.roster.calendars.models import CalendarConnection, ConnectedCalendar
from coachhub.roster.calendars.sync import secrets_of
from coachhub.tenancy.context import practice_context, require_practice


@dataclass(frozen=True)
class Meeting:
    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    kind: str  # "Chemistry call", "Contracting session", "Coaching session 3"
    location: str = ""
    cancelled: bool = False


def write_event(*, practice, calendar_id: int, uid: str, sequence: int, starts_at: str, ends_at: str, kind: str,
                location: str, cancelled: bool) -> bool:
    """Put (or delete) one event in one calendar now; CalendarFetchError on failure, recorded on the
    connection first. False when the calendar is gone or no longer chosen."""
    with practice_context(practice):
        target = (ConnectedCalendar.objects.select_related("connection__coach__user")
                  .filter(pk=calendar_id, receives_bookings=True, connection__is_paused=False).first())
        if target is None:
            return False
        connection = target.connection
        secrets, username = secrets_of(connection), connection.username
        coach = connection.coach.user
        body = ics.stored_event(
            uid=uid, sequence=sequence, starts_at=datetime.fromisoformat(starts_at),
            ends_at=datetime.fromisoformat(ends_at), summary=f"{kind} · {require_practice().name}",
            description=f"{kind}, booked through {require_practice().name}." + (f"\nJoin: {location}" if location else ""),
            location=location, organiser=(str(coach), coach.email),
        )
    try:
        with dav.client(url=secrets["url"], username=username, password=secrets.get("password", "")) as client:
            if cancelled:
                dav.delete_event(client, calendar_url=target.url, uid=uid)
            else:
                dav.put_event(client, calendar_url=target.url, uid=uid, ical=body)
    except dav.CalendarFetchError as error:
        with practice_context(practice):
            CalendarConnection.objects.filter(pk=connection.pk).update(
                write_back_error=f"{kind} at {starts_at[:16].replace('T', ' ')} UTC: {error}"[:300], updated_at=timezone.now())
        raise
    with practice_context(practice):
        CalendarConnection.objects.filter(pk=connection.pk).exclude(write_back_error="").update(write_back_error="")
    return True
