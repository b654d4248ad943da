"""Reminders follow the journey: each event a service below publishes (coachhub/tenancy/events.py)
arms or disarms the reminders about its subject, in that service's transaction. Registered by
RemindersConfig.ready()."""

from __future__ import annotations

from coachhub.tenancy.events import subscribe
from engagements.events import (
    ChemistryCallBooked,
    ChemistryCallCancelled,
    ChemistryCallClosed,
    ChemistryCallMoved,
    ChemistryCallReassigned,
    ChemistryOutcomeRecorded,
    ContractAnswered,
    ContractSent,
    ContractSuperseded,
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
from reminders import services, stakeholders
from sessions.events import (
    ActionItemChanged,
    ActionItemRemoved,
    SessionBooked,
    SessionCancelled,
    SessionLogSaved,
    SessionMoved,
)


@subscribe(ChemistryCallBooked, ChemistryCallMoved, ChemistryCallReassigned, ChemistryOutcomeRecorded)
def chemistry_call_changed(
    event: ChemistryCallBooked | ChemistryCallMoved | ChemistryCallReassigned | ChemistryOutcomeRecorded,
) -> None:
    services.arm_chemistry_call(call=event.call)


@subscribe(ChemistryCallCancelled)
def chemistry_call_cancelled(event: ChemistryCallCancelled) -> None:
    services.disarm_chemistry_call(call=event.call)


@subscribe(ChemistryCallClosed)
def chemistry_call_closed(event: ChemistryCallClosed) -> None:
    services.disarm_chemistry_call(call=event.call, reason="the leader was matched with another coach")


@subscribe(ContractSent, ContractAnswered)
def contract_awaiting_answers(event: ContractSent | ContractAnswered) -> None:
    services.arm_contract(version=event.version)


@subscribe(ContractSuperseded)
def contract_superseded(event: ContractSuperseded) -> None:
    services.disarm_contract(version=event.version)


@subscribe(SessionBooked, SessionMoved, SessionLogSaved)
def session_changed(event: SessionBooked | SessionMoved | SessionLogSaved) -> None:
    services.arm_coaching_session(session=event.session)


@subscribe(SessionCancelled)
def session_cancelled(event: SessionCancelled) -> None:
    services.disarm_coaching_session(session=event.session)


@subscribe(ActionItemChanged)
def action_changed(event: ActionItemChanged) -> None:
    services.arm_action(action=event.action)


@subscribe(ActionItemRemoved)
def action_removed(event: ActionItemRemoved) -> None:
    services.disarm_action(action=event.action, reason="the action was removed")


@subscribe(PointFellDue, RatingSubmitted)
def point_awaiting_ratings(event: PointFellDue | RatingSubmitted) -> None:
    services.arm_measurement_point(point=event.point)


@subscribe(PointMoved)
def point_moved(event: PointMoved) -> None:
    services.disarm_measurement_point(point=event.point, reason="the measurement point was moved")


@subscribe(PointClosed)
def point_closed(event: PointClosed) -> None:
    services.disarm_measurement_point(point=event.point)
    stakeholders.forget_point(point=event.point)


@subscribe(PointFellDue)
def stakeholders_invited(event: PointFellDue) -> None:
    stakeholders.arm_point(point=event.point)


@subscribe(NomineeApproved)
def nominee_approved(event: NomineeApproved) -> None:
    stakeholders.arm_nominee(nominee=event.nominee)


@subscribe(StakeholderAnswered)
def stakeholder_answered(event: StakeholderAnswered) -> None:
    stakeholders.disarm(point=event.point, nominee_id=event.nominee_id, reason="the nominee has answered")


@subscribe(EngagementCompleted)
def engagement_completed(event: EngagementCompleted) -> None:
    services.disarm_engagement(engagement=event.engagement)
