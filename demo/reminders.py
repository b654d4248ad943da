"""Demo reminders for seed_demo (idempotent), in each practice, due at once so that within a minute of
`make run` the worker writes them to var/mail/:

- coachee2@'s contract awaiting acceptance: its first reminder to each party (normally two days
  after sending) is brought forward;
- an open action of coachee@, due tomorrow: its day-before reminder is brought forward;
- a measurement point that fell due and is not closed (when the measurement demo made one): each
  rater who has not rated, the sponsor among them.

The upcoming chemistry calls and coaching sessions the demo books get their 24 h, 1 h and
after-the-event reminders like any booking (nothing of theirs is due at once).

Only first reminders that are still pending are brought forward, and their keys (so their
Message-IDs) never change: running seed_demo again sends none of them twice.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from engagements.models import ChemistryCall, ContractVersion, Engagement
from measurement.models import MeasurementPoint
from reminders import services
from reminders.models import Reminder
from sessions.models import ActionItem, Attendance, CoachingSession

DEMO_ACTION = "Book a venue for the team's away day"


def _bring_forward(subject: str) -> None:
    """Due now: the first pending reminder of `subject` (per kind and recipient), never a later one."""
    now = timezone.now()
    rows = list(Reminder.objects.filter(subject=subject).order_by("due_at"))
    firsts = {}
    for row in rows:
        firsts.setdefault((row.kind, row.recipient_id), row)
    for row in firsts.values():
        if row.state == Reminder.State.PENDING and row.next_attempt_at > now:
            row.next_attempt_at = now
            row.save(update_fields=["next_attempt_at", "updated_at"])


def seed_reminders(people: dict) -> None:
    # The demo books its calls and sessions directly, not through the booking services: arm them here.
    now = timezone.now()
    for call in ChemistryCall.objects.filter(
        status=ChemistryCall.Status.BOOKED, booking__is_active=True, booking__starts_at__gt=now
    ).select_related("booking", "engagement"):
        services.arm_chemistry_call(call=call)
    for session in CoachingSession.objects.filter(
        attendance=Attendance.SCHEDULED, booking__is_active=True, booking__starts_at__gt=now
    ).select_related("booking", "engagement"):
        services.arm_coaching_session(session=session)

    contract = ContractVersion.objects.filter(
        coachee=people["coachee2"], status=ContractVersion.Status.SENT
    ).order_by("-number").first()
    if contract is not None:
        services.arm_contract(version=contract)
        _bring_forward(f"contract:{contract.pk}")

    engagement = Engagement.objects.filter(coachee=people["coachee"], stage=Engagement.Stage.ACTIVE).first()
    session = (
        CoachingSession.objects.filter(engagement=engagement, logged_at__isnull=False).order_by("-number").first()
        if engagement else None
    )
    if session is not None:
        action = ActionItem.objects.filter(engagement=engagement, text=DEMO_ACTION).first()
        if action is None:
            action = ActionItem.objects.create(
                session=session, engagement=engagement, text=DEMO_ACTION, owner=ActionItem.Owner.COACHEE,
                due_date=timezone.localdate() + timedelta(days=1),
            )
        services.arm_action(action=action)
        _bring_forward(f"action:{action.pk}")

    for point in MeasurementPoint.objects.filter(fell_due_at__isnull=False, closed_at__isnull=True):
        services.arm_measurement_point(point=point)
        _bring_forward(f"point:{point.pk}")
