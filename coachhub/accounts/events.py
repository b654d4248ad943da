"""What happens to people, announced for the layers above (see coachhub/tenancy/events.py)."""

from __future__ import annotations

from dataclasses import dataclass

from coachhub.tenancy.events import DomainEvent


@dataclass(frozen=True)
class PersonErased(DomainEvent):
    """A person was erased from a practice (records/anonymising.py, for an erasure or the retention
    purge), inside its transaction and practice context. The account is already anonymised ("Former
    coachee 17"); subscribers forget whatever else of the person their app keeps (the roster: a
    coach's profile and own calendars, coachhub/roster/subscribers.py). Records, above every app,
    removes the rest itself."""

    practice_id: int
    user_id: int
    label: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class PersonRenamed(DomainEvent):
    """A person changed the name the practice's pages and documents print for them
    (coachhub.accounts.services.save_profile), inside its transaction and practice context.
    Subscribers drop what they stored with the old name (records: stored PDFs)."""

    practice_id: int
    user_id: int
