"""What the roster shows of the meetings and coachees above it, told by the apps that own them.

A Booking is the roster's; the chemistry call, contracting or coaching session that holds it, and
the engagements a coach carries, belong to the journey above (engagements, sessions). The roster
does not reach up to them, not even through the ORM's reverse relations, which import-linter
cannot see. Instead those apps register here, in their AppConfig.ready(), how to describe a
booking of theirs in a coach's calendar feed and how many coachees a coach carries; the roster's
selectors ask this registry and work (plainly) with nothing registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from coachhub.roster.models import Booking


@dataclass(frozen=True)
class BookingDescription:
    """A booking as its owner names it in the coach's calendar: the UID and SEQUENCE of the
    invites emailed about it, so a calendar holding both the invite and the feed shows one event."""

    uid: str
    sequence: int
    summary: str
    attendees: tuple[tuple[str, str], ...] = ()  # (name, email)

    @classmethod
    def with_leader(cls, meeting, summary: str) -> BookingDescription:
        """A meeting (an `ics_uid`, an `ics_sequence` and an engagement) attended by its leader."""
        leader = meeting.engagement.coachee
        return cls(uid=meeting.ics_uid, sequence=meeting.ics_sequence, summary=summary.format(leader=leader),
                   attendees=((str(leader), leader.email),))


@dataclass(frozen=True)
class BookingDescriber:
    """How one app describes its bookings. `related` are the select_related paths from a Booking
    to what `describe` reads, so a whole feed stays one query; `describe` answers None for a
    booking that is not the app's."""

    related: tuple[str, ...]
    describe: Callable[[Booking], BookingDescription | None]


# Given coach ids, how many coachees each carries (ids carrying none may be left out): one query.
LoadCounter = Callable[[list[int]], dict[int, int]]

_describers: list[BookingDescriber] = []
_load_counters: list[LoadCounter] = []


def register_booking_describer(*, related: tuple[str, ...], describe: Callable[[Booking], BookingDescription | None]) -> None:
    describer = BookingDescriber(related=tuple(related), describe=describe)
    if describer not in _describers:  # an app's ready() may run twice (tests, reloads)
        _describers.append(describer)


def register_load_counter(count: LoadCounter) -> None:
    if count not in _load_counters:
        _load_counters.append(count)


def booking_relations() -> tuple[str, ...]:
    """Every select_related path the describers read through."""
    return tuple(path for describer in _describers for path in describer.related)


def describe_booking(booking: Booking) -> BookingDescription | None:
    """The first registered description of `booking`; None when no app claims it."""
    for describer in _describers:
        description = describer.describe(booking)
        if description is not None:
            return description
    return None


def coach_loads(coach_ids: list[int]) -> dict[int, int]:
    """Coachees carried per coach, summed over the registered counters; coaches carrying none are left out."""
    loads: dict[int, int] = {}
    for count in _load_counters:
        for coach_id, n in count(coach_ids).items():
            loads[coach_id] = loads.get(coach_id, 0) + n
    return {coach_id: n for coach_id, n in loads.items() if n}
