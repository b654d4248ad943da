"""What happens to measurement points and engagements' ends, announced for the layers above
(see coachhub/tenancy/events.py): published inside the services' transactions."""

from __future__ import annotations

from dataclasses import dataclass

from coachhub.tenancy.events import DomainEvent
from engagements.models import Engagement
from measurement.models import MeasurementPoint


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
