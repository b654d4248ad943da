"""What happens to measurement points and engagements' ends, announced for the layers above
(see coachhub/tenancy/events.py): published inside the services' transactions."""

from __future__ import annotations

from dataclasses import dataclass

from coachhub.tenancy.events import DomainEvent
from engagements.models import Engagement
from measurement.models import MeasurementPoint, Nominee


@dataclass(frozen=True)
class PointFellDue(DomainEvent):
    """Its session count was reached or its date came: raters may rate from now on."""

    point: MeasurementPoint


@dataclass(frozen=True)
class PointMoved(DomainEvent):
    """The coach moved a point that had not fallen due to another session count or date."""

    point: MeasurementPoint


@dataclass(frozen=True)
class RatingSubmitted(DomainEvent):
    point: MeasurementPoint


@dataclass(frozen=True)
class PointClosed(DomainEvent):
    point: MeasurementPoint


@dataclass(frozen=True)
class EngagementCompleted(DomainEvent):
    """The final report closed the engagement."""

    engagement: Engagement


@dataclass(frozen=True)
class NomineeApproved(DomainEvent):
    """The coach approved a stakeholder the coachee named: an open point's invitation goes to them too."""

    nominee: Nominee


@dataclass(frozen=True)
class StakeholderAnswered(DomainEvent):
    """A nominee answered (or changed their answer) at a point: no more reminders to them there."""

    point: MeasurementPoint
    nominee_id: int
