"""How coaching sessions appear in their coach's calendar feed (coachhub/roster/selectors.py's
feed_events): under the UID and SEQUENCE of the invites emailed about them. Registered with the
roster in CoachingSessionsConfig.ready(), so the roster never reaches up to the sessions."""

from __future__ import annotations

from coachhub.roster.models import Booking
from coachhub.roster.registry import BookingDescription

# What describe_coaching_session reads, fetched with the coach's bookings in the feed's one query.
COACHING_SESSION_RELATED = ("coaching_session__engagement__coachee",)


def describe_coaching_session(booking: Booking) -> BookingDescription | None:
    session = getattr(booking, "coaching_session", None)
    return None if session is None else BookingDescription.with_leader(session, f"Coaching session {session.number}: {{leader}}")
