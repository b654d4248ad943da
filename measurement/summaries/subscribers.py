"""The engagement summary follows every event that may change what it shows: each subscriber
recomputes the engagement's row from the source tables (`building.refresh_summary`) in the publisher's
transaction. Registered by MeasurementConfig.ready() after measurement's own subscribers, so the
points a contract or a logged session brings are there when the row is built.

Writes above measurement (erasure and the retention purge in records) call `refresh_summaries`
themselves: a lower layer cannot hear the layers above it."""

from __future__ import annotations

from coachhub.tenancy.events import subscribe
from engagements.events import (
    ChemistryCallBooked,
    ChemistryCallCancelled,
    ChemistryCallClosed,
    ChemistryCallMoved,
    ChemistryCallReassigned,
    ChemistryOutcomeRecorded,
    ContractAccepted,
    ContractAnswered,
    ContractSent,
    ContractSuperseded,
    EngagementMatched,
)
from measurement.events import (
    EngagementCompleted,
    NomineeApproved,
    PointClosed,
    PointFellDue,
    PointMoved,
    RatingSubmitted,
    StakeholderAnswered,
)
from measurement.summaries.building import refresh_summary
from sessions.events import SessionBooked, SessionCancelled, SessionLogSaved, SessionMoved


@subscribe(
    ChemistryCallBooked, ChemistryCallMoved, ChemistryCallReassigned, ChemistryCallCancelled, ChemistryCallClosed,
    ChemistryOutcomeRecorded,
)
def chemistry_call_changed(event) -> None:
    refresh_summary(event.call.engagement_id)


@subscribe(EngagementMatched, EngagementCompleted)
def engagement_moved_on(event: EngagementMatched | EngagementCompleted) -> None:
    refresh_summary(event.engagement.pk)


@subscribe(ContractSent, ContractAnswered, ContractAccepted, ContractSuperseded)
def contract_changed(event) -> None:
    refresh_summary(event.version.engagement_id)


@subscribe(SessionBooked, SessionMoved, SessionCancelled)
def session_changed(event: SessionBooked | SessionMoved | SessionCancelled) -> None:
    refresh_summary(event.session.engagement_id)


@subscribe(SessionLogSaved)
def session_logged(event: SessionLogSaved) -> None:
    """A draft saved as the coach types changes nothing the summary shows: only a log with its
    attendance (or the first final save) does, so autosaves cost no rebuild."""
    if event.attendance_recorded:
        refresh_summary(event.session.engagement_id)


@subscribe(PointFellDue, PointMoved, RatingSubmitted, PointClosed, StakeholderAnswered)
def point_changed(event) -> None:
    refresh_summary(event.point.engagement_id)


@subscribe(NomineeApproved)
def nominee_approved(event: NomineeApproved) -> None:
    refresh_summary(event.nominee.engagement_id)
