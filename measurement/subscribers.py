"""Measurement follows the contract and the sessions held: a contract in force gets its points, and a
session's attendance may make one fall due (which closes the baseline round before it:
services/scheduling.py). Subscribed (coachhub/tenancy/events.py) by MeasurementConfig.ready(); each
runs in the publishing service's transaction."""

from __future__ import annotations

from coachhub.tenancy.events import subscribe
from engagements.events import ContractAccepted
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

