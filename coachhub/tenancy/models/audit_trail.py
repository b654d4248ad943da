"""The practice's audit trail: append-only entries naming people by id."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from coachhub.tenancy.models.practices import PracticeOwnedModel


class AuditEntry(PracticeOwnedModel):
    """Who did what to a practice's records, when, and from which address. Written by services
    through `coachhub.tenancy.audit.record`; append-only in the database: the application's role may
    only INSERT (migration 0008), and a trigger refuses UPDATE and DELETE but from the owner's one
    function, the retention purge of old sign-ins `audit_purge_sign_ins` (migration 0003).

    People are named by id, never by name or email: `subject` places them ("{coachee} with {coach}")
    and `people` says who each placeholder is, read at display time (`audit.name_people`)."""

    # PROTECT: a person the trail names is never deleted (erasure renames them instead), and
    # SET_NULL would be an UPDATE the trigger refuses.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64)
    subject = models.CharField(
        max_length=200, help_text="What the action was done to, in words; people only as {placeholders}."
    )
    people = models.JSONField(
        default=dict, blank=True,
        help_text='Who each placeholder of the subject is: a person\'s id, or {"invitation": id}.',
    )
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, help_text="Where the request came from.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["practice", "-created_at"], name="audit_practice_recent"),
            # The audit page's filters: by person, and by kind (an action prefix, "contract.").
            models.Index(fields=["practice", "actor", "-created_at"], name="audit_practice_actor"),
            models.Index(fields=["practice", "action"], name="audit_practice_action",
                         opclasses=["int8_ops", "varchar_pattern_ops"]),
        ]

    @property
    def described(self) -> str:
        """The action in words: "contract.changes_requested" → "Contract changes requested"."""
        return self.action.replace(".", " ").replace("_", " ").capitalize()

    def __str__(self) -> str:
        return f"{self.action}: {self.subject}"
