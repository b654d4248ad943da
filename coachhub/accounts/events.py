"""What happens to people, announced for the layers above (see coachhub/tenancy/events.py)."""

from __future__ import annotations

from dataclasses import dataclass

from coachhub.tenancy.events import DomainEvent


@dataclass(frozen=True)
class PersonErased(DomainEvent):
    """A person was erased from a practice (records/erasure.py), inside its transaction and practice
    context. The account is already anonymised ("Former coachee 17"); subscribers remove whatever
    else of theirs the person wrote or named, e.g. stakeholder nominees they named:

        @subscribe(PersonErased)
        def purge_nominees(event: PersonErased) -> None: ...
    """

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
