"""Reminders (one row per email to send, keyed so it can exist once), notification settings, pauses."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from coachhub.tenancy.models import PracticeOwnedModel
from engagements.models import Engagement


class Reminder(PracticeOwnedModel):
    """One reminder: about `subject` ("call:42", "contract:7", ...), of `kind`, to `recipient`, due at `due_at`.

    (practice, subject, kind, recipient, due_at) is unique: arming twice creates nothing new. The
    email goes out through an outbox (see dispatch.py): a dispatcher claims due rows with SELECT …
    FOR UPDATE SKIP LOCKED and commits them as `sending` under its `claim`, sends each message with
    no transaction open, and marks it `sent` in a short transaction of its own. A row left `sending`
    longer than the lease (its holder died) is claimed again by a later dispatch.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Due"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=32)
    subject = models.CharField(max_length=64)
    engagement = models.ForeignKey(Engagement, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    # When the dispatcher may next look at it: `due_at`, later after a failed delivery, or the
    # recipient's next 07:00 when they take a morning digest.
    next_attempt_at = models.DateTimeField()
    for_digest = models.BooleanField(default=False)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # While `sending`: which dispatch holds it, and when that dispatch claimed it or last began to hand
    # its message over; past the lease from then, the row is free to claim again.
    claim = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "subject", "kind", "recipient", "due_at"], name="reminder_once_per_key",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "sending", "sent", "skipped", "cancelled"]),
                name="reminder_state_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="sending") | models.Q(claim__isnull=False, claimed_at__isnull=False),
                name="reminder_sending_is_claimed",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="sent") | models.Q(sent_at__isnull=False), name="reminder_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["practice", "next_attempt_at"], condition=models.Q(state="pending"), name="reminder_pending_due",
            ),
            # Rows a dead worker left `sending`, found by the claim time its lease runs from.
            models.Index(
                fields=["practice", "claimed_at"], condition=models.Q(state="sending"), name="reminder_sending_claimed",
            ),
            models.Index(fields=["practice", "engagement", "due_at"], name="reminder_engagement"),
            models.Index(fields=["practice", "subject"], name="reminder_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} about {self.subject} to user {self.recipient_id} at {self.due_at:%Y-%m-%d %H:%M} UTC"

    @property
    def label(self) -> str:
        from reminders.kinds import KINDS

        kind = KINDS.get(self.kind)
        return kind.label if kind else self.kind

    @property
    def key(self) -> str:
        return f"{self.practice_id}|{self.subject}|{self.kind}|{self.recipient_id}|{self.due_at.isoformat()}"

    @property
    def message_id(self) -> str:
        """The same for every attempt at this reminder, so a resend is recognisably the same message."""
        digest = hashlib.sha256(self.key.encode()).hexdigest()[:40]
        return f"<reminder-{digest}@{settings.BASE_DOMAIN}>"


class NotificationSettings(PracticeOwnedModel):
    """One person's choices in one practice: kinds they do not want, and the coach's morning digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    disabled_kinds = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    morning_digest = models.BooleanField(
        "one morning digest at 07:00 instead of single reminders", default=False,
    )

    class Meta:
        ordering = ["user_id"]
        constraints = [models.UniqueConstraint(fields=["practice", "user"], name="notification_settings_one_per_person")]

    def __str__(self) -> str:
        return f"Notification settings of user {self.user_id}"

    def wants(self, kind: str) -> bool:
        return kind not in self.disabled_kinds


class EngagementPause(PracticeOwnedModel):
    """A practice admin paused reminders for an engagement: due ones are skipped, saying so."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="+")
    paused_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["practice", "engagement"], name="engagement_pause_once")]

    def __str__(self) -> str:
        return f"Reminders paused for engagement {self.engagement_id}"


class NomineeMessage(PracticeOwnedModel):
    """One email to a stakeholder nominee (who has no account) about one measurement point: the
    invitation with their personal link, or a reminder while they have not answered. An outbox like
    Reminder's (see reminders/stakeholders.py): (practice, point, nominee, kind, due_at) is unique,
    rows are claimed with SKIP LOCKED and marked sent one by one, so each goes once. A point's rows are
    deleted when it closes: which went and which were cancelled would tell who answered, and when."""

    class Kind(models.TextChoices):
        INVITATION = "stakeholder_invitation", "Stakeholder feedback: the invitation"
        REMINDER = "stakeholder_reminder", "Stakeholder feedback: a reminder"

    point = models.ForeignKey("measurement.MeasurementPoint", on_delete=models.CASCADE, related_name="+")
    nominee = models.ForeignKey("measurement.Nominee", on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=Reminder.State.choices, default=Reminder.State.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    claim = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "point", "nominee", "kind", "due_at"], name="nominee_message_once"),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "sending", "sent", "skipped", "cancelled"]),
                name="nominee_message_state_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="sending") | models.Q(claim__isnull=False, claimed_at__isnull=False),
                name="nominee_message_sending_is_claimed",
            ),
        ]
        indexes = [
            models.Index(fields=["practice", "due_at"], condition=models.Q(state="pending"), name="nominee_message_due"),
            models.Index(fields=["practice", "point", "nominee"], name="nominee_message_point"),
        ]

    @property
    def message_id(self) -> str:
        key = f"{self.practice_id}|{self.point_id}|{self.nominee_id}|{self.kind}|{self.due_at.isoformat()}"
        return f"<stakeholder-{hashlib.sha256(key.encode()).hexdigest()[:40]}@{settings.BASE_DOMAIN}>"
