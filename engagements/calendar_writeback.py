"""Chemistry calls and contracting sessions written into the coach's own calendar
(coachhub/roster/calendars/writeback.py): called by their services, so every booking, move,
reassignment, cancellation and closing reaches the calendar with the invite's UID and SEQUENCE.
Only the kind of meeting and the practice are named, never the leader's objectives."""

from __future__ import annotations

from coachhub.roster.calendars.services import queue_reassignment, queue_write_back
from coachhub.roster.calendars.writeback import Meeting
from engagements.models import ChemistryCall, ContractingSession


def _meeting(call: ChemistryCall, *, cancelled: bool) -> Meeting:
    return Meeting(uid=call.ics_uid, sequence=call.ics_sequence, starts_at=call.booking.starts_at,
                   ends_at=call.booking.ends_at, kind="Chemistry call", cancelled=cancelled)


def chemistry_call_held(call: ChemistryCall) -> None:
    """Booked or moved: the same UID, a higher SEQUENCE."""
    queue_write_back(coach_id=call.coach_id, meeting=_meeting(call, cancelled=False))


def chemistry_call_reassigned(call: ChemistryCall, *, previous_coach_id: int) -> None:
    """Out of the first coach's calendar, into the new coach's."""
    queue_reassignment(previous_coach_id=previous_coach_id, coach_id=call.coach_id,
                       meeting=_meeting(call, cancelled=False))


def chemistry_call_gone(call: ChemistryCall) -> None:
    """Cancelled, or closed because the leader chose another coach."""
    queue_write_back(coach_id=call.coach_id, meeting=_meeting(call, cancelled=True))


def contracting_session_held(session: ContractingSession, *, coach_id: int) -> None:
    """Booked or moved: the same UID, a higher SEQUENCE."""
    queue_write_back(coach_id=coach_id, meeting=Meeting(
        uid=session.ics_uid, sequence=session.ics_sequence, starts_at=session.booking.starts_at,
        ends_at=session.booking.ends_at, kind="Contracting session",
    ))
