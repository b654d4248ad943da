"""Coaching sessions written into the coach's own calendar (coachhub/roster/calendars/writeback.py),
called by the booking services: booked, moved (same UID, SEQUENCE raised) and cancelled (the event
deleted)."""

from __future__ import annotations

from coachhub.roster.calendars.services import queue_write_back
from coachhub.roster.calendars.writeback import Meeting
from sessions.models import CoachingSession


def _write(session: CoachingSession, *, cancelled: bool) -> None:
    queue_write_back(coach_id=session.engagement.coach_id, meeting=Meeting(
        uid=session.ics_uid, sequence=session.ics_sequence, starts_at=session.booking.starts_at,
        ends_at=session.booking.ends_at, kind=f"Coaching session {session.number}", cancelled=cancelled,
    ))


def session_held(session: CoachingSession) -> None:
    """Booked or moved."""
    _write(session, cancelled=False)


def session_cancelled(session: CoachingSession) -> None:
    _write(session, cancelled=True)
