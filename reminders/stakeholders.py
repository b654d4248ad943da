"""Stakeholder nominees' emails: the invitation with their personal link when a point falls due (or
when they are named while one is open), then a reminder to those who have not answered, three days
on and weekly until the point closes, when the point's rows are deleted (`forget_point`). Nominees
have no account, so these rows are NomineeMessage, not Reminder, but they go out the same way
(dispatch.py): claimed with SELECT … FOR UPDATE SKIP LOCKED and committed as `sending`, handed over
with no transaction open and a stable Message-ID, then marked sent, so each is sent once. Every
email carries a one-click unsubscribe link."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.mail import from_address
from coachhub.tenancy.models import Practice
from measurement.models import MeasurementPoint, Nominee, StakeholderResponse
from measurement.stakeholders.links import answer_token, unsubscribe_token
from reminders.dispatch import lease, smtp_timeout
from reminders.emails import _headers, practice_base_url
from reminders.kinds import WEEK
from reminders.models import NomineeMessage, Reminder

logger = logging.getLogger(__name__)

FIRST_REMINDER_AFTER = timedelta(days=3)
BATCH_SIZE = 500
State, Kind = Reminder.State, NomineeMessage.Kind


# --- Arming --------------------------------------------------------------------------------------------


def _reachable(nominees):
    # Only those the coach approved are ever written to (measurement/stakeholders/nominations.py).
    return nominees.filter(unsubscribed_at__isnull=True, purged_at__isnull=True, approval=Nominee.Approval.APPROVED)


def _arm(point: MeasurementPoint, nominee_ids: list[int], now: datetime) -> int:
    invite_at = max(point.fell_due_at, now - timedelta(minutes=1))
    rows = [
        NomineeMessage(point=point, nominee_id=pk, kind=kind, due_at=due, practice_id=point.practice_id)
        for pk in nominee_ids
        for kind, due in ((Kind.INVITATION, invite_at), (Kind.REMINDER, invite_at + FIRST_REMINDER_AFTER))
    ]
    created = NomineeMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    if rows:
        from reminders.tasks import dispatch_nominee_messages

        dispatch_nominee_messages.delay_on_commit(practice_id=point.practice_id)
    return len(created)


def arm_point(*, point: MeasurementPoint, now: datetime | None = None) -> int:
    """The point fell due: every reachable nominee of its engagement is invited."""
    if point.fell_due_at is None or point.is_closed or not point.version.stakeholder_groups:
        return 0
    ids = list(_reachable(Nominee.objects.filter(engagement_id=point.engagement_id)).values_list("pk", flat=True))
    return _arm(point, ids, now or timezone.now())


def arm_nominee(*, nominee: Nominee, now: datetime | None = None) -> int:
    """A nominee approved while points are open is invited to them at once."""
    points = MeasurementPoint.objects.select_related("version").filter(
        engagement_id=nominee.engagement_id, fell_due_at__isnull=False, closed_at__isnull=True,
    )
    return sum(_arm(point, [nominee.pk], now or timezone.now()) for point in points)


def disarm(*, point: MeasurementPoint, nominee_id: int, reason: str) -> int:
    """The nominee's pending reminders at an open point are no longer wanted: cancelled."""
    rows = NomineeMessage.objects.filter(point=point, state=State.PENDING, nominee_id=nominee_id, kind=Kind.REMINDER)
    return rows.update(state=State.CANCELLED, reason=reason[:200], updated_at=timezone.now())


def forget_point(*, point: MeasurementPoint) -> int:
    """The point closed: its emails are deleted, sent or not, in the closing transaction. Which
    reminders went to whom and which were cancelled because the nominee had answered, with their
    times, would tell who answered and when; nothing is sent for a closed point any more, so nothing
    needs them (a message being handed over now finds its row gone and arms no next reminder)."""
    return NomineeMessage.objects.filter(point=point).delete()[0]


# --- Dispatch ------------------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    return Q(state=State.PENDING, due_at__lte=now) | Q(state=State.SENDING, claimed_at__lte=now - lease())


def due_count(*, now: datetime | None = None) -> int:
    return NomineeMessage.objects.filter(_due(now or timezone.now())).count()


@dataclass
class Sent:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0

    @property
    def full_batch(self) -> bool:
        return self.claimed >= BATCH_SIZE


def _why_not(row: NomineeMessage, answered: set[tuple[int, int]]) -> str | None:
    point, nominee = row.point, row.nominee
    if point.closed_at is not None:
        return "the measurement point is closed"
    if nominee.purged_at is not None:
        return "the nominee's details were purged"
    if nominee.approval != Nominee.Approval.APPROVED:
        return "the nominee is not approved by the coach"
    if nominee.unsubscribed_at is not None:
        return "the nominee unsubscribed"
    if row.kind == Kind.REMINDER and (point.pk, nominee.pk) in answered:
        return "the nominee has answered"
    return None


def _message(row: NomineeMessage, practice: Practice, base_url: str) -> EmailMultiAlternatives:
    nominee, point = row.nominee, row.point
    unsubscribe_url = base_url + reverse("stakeholder_unsubscribe", args=[unsubscribe_token(nominee)])
    context = {
        "practice": practice, "nominee": nominee, "coachee": point.engagement.coachee, "point": point,
        "url": base_url + reverse("stakeholder_feedback", args=[answer_token(point, nominee)]),
        "unsubscribe_url": unsubscribe_url, "reminder": row.kind == Kind.REMINDER,
    }
    prefix = "emails/stakeholders/feedback"
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject, render_to_string(f"{prefix}_message.txt", {**context, "subject": subject}).strip(), from_address(),
        [nominee.email], headers=_headers(message_id=row.message_id, unsubscribe_url=unsubscribe_url),
    )
    message.attach_alternative(render_to_string(f"{prefix}_message.html", {**context, "subject": subject}), "text/html")
    return message


def _claim(practice: Practice, claim: uuid.UUID, now: datetime, batch_size: int, outcome: Sent) -> list:
    with transaction.atomic():
        rows = list(
            NomineeMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_due(now)).select_related("nominee", "point__engagement__coachee").order_by("due_at", "pk")[:batch_size]
        )
        outcome.claimed = len(rows)
        answered = set(StakeholderResponse.objects.filter(
            point_id__in={r.point_id for r in rows}, nominee_id__in={r.nominee_id for r in rows}
        ).values_list("point_id", "nominee_id"))
        base_url = practice_base_url(practice)
        deliveries, skipped = [], []
        for row in rows:
            reason = _why_not(row, answered)
            if reason is None:
                try:
                    deliveries.append((row, _message(row, practice, base_url)))
                    continue
                except Exception as error:  # noqa: BLE001 - one broken message must not block the batch
                    logger.exception("stakeholder message %s could not be written", row.pk)
                    reason = f"could not be written: {error}"
            row.state, row.reason = State.SKIPPED, reason[:200]
            skipped.append(row)
        outcome.skipped = len(skipped)
        NomineeMessage.objects.bulk_update(skipped, ["state", "reason"]) if skipped else None
        NomineeMessage.objects.filter(pk__in=[row.pk for row, _ in deliveries]).update(
            state=State.SENDING, claim=claim, claimed_at=now, updated_at=now,
        )
    return deliveries


def dispatch_nominee_messages(*, practice: Practice, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> Sent:
    """Claim one batch of the practice's due nominee emails and send it, each marked sent on its own;
    a sent reminder arms the next, a week on, for as long as the point stays open."""
    now = now or timezone.now()
    outcome = Sent()
    if practice.is_suspended:
        return outcome
    claim = uuid.uuid4()
    with practice_context(practice):
        deliveries = _claim(practice, claim, now, batch_size, outcome)
    if not deliveries:
        return outcome
    connection = get_connection(timeout=smtp_timeout())
    with connection:
        for row, message in deliveries:
            message.connection = connection
            message.send()
            with practice_context(practice), transaction.atomic():
                marked = NomineeMessage.objects.filter(pk=row.pk, claim=claim).update(
                    state=State.SENT, sent_at=timezone.now(), claim=None, claimed_at=None, updated_at=timezone.now(),
                )
                # No row: the point closed meanwhile (forget_point), so no next reminder either.
                if marked and row.kind == Kind.REMINDER:
                    NomineeMessage.objects.bulk_create([NomineeMessage(
                        practice_id=practice.pk, point_id=row.point_id, nominee_id=row.nominee_id, kind=Kind.REMINDER,
                        due_at=row.due_at + WEEK,
                    )], ignore_conflicts=True)
            outcome.sent += 1
    logger.info("stakeholder emails for %s: %d claimed, %d sent, %d skipped", practice.slug,
                outcome.claimed, outcome.sent, outcome.skipped)
    return outcome
