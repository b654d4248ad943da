"""Data rights: a person's export (a subject-access request answered as a ZIP) and erasure requests."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from coachhub.tenancy.models import PracticeOwnedModel, new_token

# How long a download link works, and how long the ZIP is kept (the daily job deletes older ones).
EXPORT_TTL = timedelta(days=7)


class DataExport(PracticeOwnedModel):
    """One ZIP of a person's data in this practice. Only the SHA-256 of the link's token is kept."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    token_digest = models.CharField(max_length=64, editable=False)
    file_path = models.CharField(max_length=255, blank=True, editable=False)
    size_bytes = models.PositiveIntegerField(default=0)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Two requests at once make one export: the second is refused with a message.
            models.UniqueConstraint(
                fields=["practice", "person"], condition=models.Q(status="queued"), name="data_export_one_at_a_time",
            ),
            models.UniqueConstraint(fields=["practice", "token_digest"], name="data_export_token_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "ready", "failed", "expired"]), name="data_export_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | models.Q(ready_at__isnull=False, expires_at__isnull=False),
                name="data_export_ready_has_times",
            ),
        ]
        indexes = [models.Index(fields=["practice", "person", "-created_at"], name="data_export_person")]

    def __str__(self) -> str:
        return f"Export of {self.person} ({self.get_status_display()})"

    @staticmethod
    def new_token() -> tuple[str, str]:
        return new_token()

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.EXPIRED or (self.expires_at is not None and timezone.now() >= self.expires_at)

    @property
    def by_admin(self) -> bool:
        return self.requested_by_id is not None and self.requested_by_id != self.person_id


class ErasureRequest(PracticeOwnedModel):
    """A person's request to be erased from this practice, on the admins' list until handled.
    Once done, `label` ("Former coachee 17") is what the practice calls them from then on. The
    retention purge anonymises people nobody asked for (leaders who never matched, former coachees
    with nothing left): their row is made erased at once, saying why in `reason`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        ERASED = "erased", "Erased"
        DECLINED = "declined", "Declined"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    # The number in "Former coachee 17": counted per practice, unrelated to any id.
    number = models.PositiveIntegerField(null=True, blank=True)
    label = models.CharField(max_length=60, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "person"], condition=models.Q(status="pending"), name="erasure_one_pending",
            ),
            models.UniqueConstraint(fields=["practice", "number"], name="erasure_number_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "erased", "declined"]), name="erasure_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="erased") | models.Q(number__isnull=False, handled_at__isnull=False),
                name="erasure_erased_has_number",
            ),
        ]

    def __str__(self) -> str:
        return f"Erasure of {self.label or self.person} ({self.get_status_display()})"
