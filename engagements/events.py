"""What happens along the journey to a contract, announced for the layers above (see
coachhub/tenancy/events.py): published inside the services' transactions."""

from __future__ import annotations

from dataclasses import dataclass

from coachhub.tenancy.events import DomainEvent
from engagements.models import ChemistryCall, ContractVersion, Engagement


@dataclass(frozen=True)
class ChemistryCallBooked(DomainEvent):
    call: ChemistryCall


@dataclass(frozen=True)
class ChemistryCallMoved(DomainEvent):
    """Rescheduled to another time with the same coach."""

    call: ChemistryCall


@dataclass(frozen=True)
class ChemistryCallReassigned(DomainEvent):
    """Moved by a practice admin to another coach (and a free time of theirs)."""

    call: ChemistryCall
    previous_coach_id: int


@dataclass(frozen=True)
class ChemistryCallCancelled(DomainEvent):
    call: ChemistryCall


@dataclass(frozen=True)
class ChemistryCallClosed(DomainEvent):
    """The leader was matched with another coach: this call is no longer needed."""

    call: ChemistryCall


@dataclass(frozen=True)
class ChemistryOutcomeRecorded(DomainEvent):
    """The coach said whether they would like to work with the leader."""

    call: ChemistryCall


@dataclass(frozen=True)
class EngagementMatched(DomainEvent):
    """The leader's chosen coach said yes too: the engagement moves to contracting with that coach."""

    engagement: Engagement


@dataclass(frozen=True)
class ContractSent(DomainEvent):
    version: ContractVersion


@dataclass(frozen=True)
class ContractAnswered(DomainEvent):
    """A party accepted the version or asked for changes."""

    version: ContractVersion


@dataclass(frozen=True)
class ContractAccepted(DomainEvent):
    """Every party has accepted: the version is the contract in force and the engagement active."""

    version: ContractVersion


@dataclass(frozen=True)
class ContractSuperseded(DomainEvent):
    """A version awaiting answers was replaced by a revision before everyone accepted it."""

    version: ContractVersion
