"""A leader's coaching journey: the engagement and its chemistry calls."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from coachhub.roster.models import Booking
from coachhub.tenancy.models import ClientOrganisation, PracticeOwnedModel


class Engagement(PracticeOwnedModel):
    """One leader's coaching, from enquiry (chemistry calls) to completion."""

    class Stage(models.TextChoices):
        CHEMISTRY = "chemistry", "Chemistry calls"
        CONTRACTING = "contracting", "Contracting"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CLOSED = "closed", "Closed without a match"

    coachee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="engagements_as_coachee")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="engagements_as_coach"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.CHEMISTRY)
    objectives = models.TextField("what the leader wants to work on", max_length=5000)
    hopes = models.TextField("what the leader hopes to achieve", max_length=5000, blank=True)
    client_organisation = models.ForeignKey(
        ClientOrganisation, null=True, blank=True, on_delete=models.PROTECT, related_name="engagements"
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="engagements_as_sponsor"
    )
    preferred_coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    matched_at = models.DateTimeField(null=True, blank=True)
    # Set when the final report closes the engagement; the contract's retention period runs from here.
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set by the retention purge (records/retention/): what identified the leader and what they wrote is
    # gone, counts and scores stay. A leader who never matched, or a completed engagement past its
    # contract's record-keeping period.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "coachee"], condition=models.Q(stage="chemistry"),
                name="engagement_one_open_enquiry_per_coachee",
            ),
            models.CheckConstraint(
                condition=models.Q(coach__isnull=False) | models.Q(stage__in=["chemistry", "closed"]),
                name="engagement_coach_once_matched",
            ),
        ]
        indexes = [
            models.Index(fields=["practice", "coachee", "stage"], name="engagement_coachee_stage"),
            models.Index(fields=["practice", "coach", "stage"], name="engagement_coach_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.coachee} ({self.get_stage_display()})"

    def audit_subject(self) -> tuple[str, dict[str, int | None]]:
        """How the audit trail names it: people by id, never by name (coachhub/tenancy/audit.py)."""
        return f"Engagement {self.pk} of {{coachee}}", {"coachee": self.coachee_id}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ChemistryCall(PracticeOwnedModel):
    """A complimentary call between a leader and one coach, before either commits."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED = "cancelled", "Cancelled"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        YES = "yes", "Would like to work together"
        NO = "no", "Not the right fit"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="chemistry_calls")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chemistry_calls")
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="chemistry_call")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    coach_outcome = models.CharField(max_length=4, choices=Outcome.choices, blank=True)
    coach_notes = models.TextField("notes on the approach shared", blank=True, max_length=5000)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    # The leader's cancel/reschedule link carries a token; only its SHA-256 is kept.
    manage_token_digest = models.CharField(max_length=64, editable=False)
    # iCalendar SEQUENCE: raised on every change so calendars update the same event.
    ics_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["booking__starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "manage_token_digest"], name="chemistry_call_token_unique"),
            models.UniqueConstraint(
                fields=["practice", "engagement", "coach"], condition=~models.Q(status="cancelled"),
                name="chemistry_call_one_per_coach",
            ),
        ]
        indexes = [models.Index(fields=["practice", "coach", "status"], name="chemistry_call_coach_status")]

    def __str__(self) -> str:
        return f"Chemistry call with {self.coach}"

    def audit_subject(self) -> tuple[str, dict[str, int | None]]:
        """How the audit trail names it: people by id, never by name (coachhub/tenancy/audit.py)."""
        people = {"coachee": self.engagement.coachee_id, "coach": self.coach_id}
        return f"Chemistry call {self.pk}: {{coachee}} with {{coach}}", people

    @staticmethod
    def new_manage_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, _digest(token)

    @staticmethod
    def digest(token: str) -> str:
        return _digest(token)

    @property
    def is_upcoming(self) -> bool:
        """Booked and not yet started: it can still be moved or cancelled."""
        return self.status == self.Status.BOOKED and self.booking.starts_at > timezone.now()

    @property
    def ics_uid(self) -> str:
        return f"chemistry-call-{self.pk}@{settings.BASE_DOMAIN}"
