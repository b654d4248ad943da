"""Coaching sessions written into the coach's own calendar (coachhub/roster/calendars/writeback.py):
booked, moved (same UID, SEQUENCE raised) and cancelled (the event deleted)."""

from __future__ import annotations

from coachhub.roster.calendars.services import queue_write_back
from coachhub.roster.calendars.writeback import Meeting
from coachhub.tenancy.events import subscribe
from sessions.events import SessionBooked, SessionCancelled, SessionMoved


def _write(event, *, cancelled: bool) -> None:
    session = event.session
    queue_write_back(coach_id=session.engagement.coach_id, meeting=Meeting(
        uid=session.ics_uid, sequence=session.ics_sequence, starts_at=session.booking.starts_at,
        ends_at=session.booking.ends_at, kind=f"Coaching session {session.number}", cancelled=cancelled,
    ))


@subscribe(SessionBooked, SessionMoved)
def session_held(event) -> None:
    _write(event, cancelled=False)


@subscribe(SessionCancelled)
def session_cancelled(event) -> None:
    _write(event, cancelled=True)
