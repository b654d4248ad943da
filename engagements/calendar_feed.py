"""How chemistry calls and contracting sessions appear in their coach's calendar feed
(coachhub/roster/selectors.py's feed_events): under the UID and SEQUENCE of the invites emailed about
them, so the feed, the invite and the per-meeting video link agree. Registered with the roster in
EngagementsConfig.ready(), so the roster never reaches up to them."""

from __future__ import annotations

from coachhub.roster.models import Booking
from coachhub.roster.registry import BookingDescription

# What the describers read, fetched with the coach's bookings in the feed's one query.
CHEMISTRY_CALL_RELATED = ("chemistry_call__engagement__coachee",)
CONTRACTING_SESSION_RELATED = ("contracting_session__engagement__coachee",)


def describe_chemistry_call(booking: Booking) -> BookingDescription | None:
    call = getattr(booking, "chemistry_call", None)
    return None if call is None else BookingDescription.with_leader(call, f"{booking.get_kind_display()} with {{leader}}")


def describe_contracting_session(booking: Booking) -> BookingDescription | None:
    session = getattr(booking, "contracting_session", None)
    return None if session is None else BookingDescription.with_leader(session, f"{booking.get_kind_display()} with {{leader}}")
