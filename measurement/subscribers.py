"""Measurement follows the contract and the sessions held: a contract in force gets its points, a
session's attendance may make one fall due, and a point falling due closes the baseline round before it. Subscribed (coachhub/tenancy/events.py) by
MeasurementConfig.ready(); each runs in the publishing service's transaction."""

from __future__ import annotations

from django.utils import timezone

from coachhub.tenancy.events import subscribe
from engagements.events import ContractAccepted
from measurement.events import PointFellDue
from measurement.services.closing import close_baseline_rounds
from measurement.services.scheduling import mark_points_due, schedule_points
from sessions.events import SessionLogSaved


@subscribe(ContractAccepted)
def contract_accepted(event: ContractAccepted) -> None:
    schedule_points(version=event.version)


@subscribe(SessionLogSaved)
def session_logged(event: SessionLogSaved) -> None:
    """A point falls due by sessions held: recount once attendance is recorded."""
    if event.attendance_recorded:
        mark_points_due(engagement=event.session.engagement, now=event.now)


@subscribe(PointFellDue)
def later_point_fell_due(event: PointFellDue) -> None:
    """A baseline round still open when the mid- or end-point falls due closes first: the baseline is
    what the stakeholders saw before the coaching moved on, and nominees get one round at a time."""
    if event.point.parties_rate:
        close_baseline_rounds(engagement=event.point.engagement, now=event.point.fell_due_at or timezone.now(), due_only=False)
