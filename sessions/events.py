"""What happens to coaching sessions and their actions, announced for the layers above (see
coachhub/tenancy/events.py): published inside the services' transactions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coachhub.tenancy.events import DomainEvent
from sessions.models import ActionItem, CoachingSession


@dataclass(frozen=True)
class SessionBooked(DomainEvent):
    session: CoachingSession


@dataclass(frozen=True)
class SessionMoved(DomainEvent):
    session: CoachingSession


@dataclass(frozen=True)
class SessionCancelled(DomainEvent):
    session: CoachingSession


@dataclass(frozen=True)
class SessionLogSaved(DomainEvent):
    """The coach saved the session's log, a draft or the final one, at `now`.
    `attendance_recorded`: how the session went was recorded (held, late cancellation, no-show)."""

    session: CoachingSession
    now: datetime
    attendance_recorded: bool


@dataclass(frozen=True)
class ActionItemChanged(DomainEvent):
    """An action was added, marked done or reopened."""

    action: ActionItem


@dataclass(frozen=True)
class ActionItemRemoved(DomainEvent):
    action: ActionItem
