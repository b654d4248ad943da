"""Who belongs to a practice: client organisations, memberships with their roles, invitations."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from coachhub.tenancy.models.practices import PracticeOwnedModel
from coachhub.tenancy.validators import validate_visible_characters, visible_text_constraint


class ClientOrganisation(PracticeOwnedModel):
    """An employer that sends its leaders to the practice and sponsors their coaching."""

    name = models.CharField(max_length=160, validators=[validate_visible_characters])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("practice", Lower("name"), name="client_organisation_name_unique"),
            visible_text_constraint("name", name="client_organisation_name_visible"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Practice admin"
    COACH = "coach", "Coach"
    COACHEE = "coachee", "Coachee"
    SPONSOR = "sponsor", "Sponsor"


class Membership(PracticeOwnedModel):
    """One role of one person in one practice. A person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    # The employer of a sponsor or coachee, where there is one.
    client_organisation = models.ForeignKey(
        ClientOrganisation, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "user", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(client_organisation__isnull=True)
                | models.Q(role__in=[Role.SPONSOR, Role.COACHEE]),
                name="membership_organisation_only_for_clients",
            ),
            models.CheckConstraint(
                condition=models.Q(is_active=True, deactivated_at__isnull=True)
                | models.Q(is_active=False, deactivated_at__isnull=False),
                name="membership_deactivated_at_matches",
            ),
        ]
        indexes = [models.Index(fields=["practice", "user", "is_active"], name="membership_user_active")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


def token_digest(token: str) -> str:
    """What is kept of an emailed link's token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh (token, digest) pair: the token goes in the email, the digest in the row."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)

class Invitation(PracticeOwnedModel):
    """An emailed offer of a role. Only the SHA-256 of the link's token is stored."""

    TTL = timedelta(days=14)

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    full_name = models.CharField(max_length=150, blank=True, validators=[validate_visible_characters])
    client_organisation = models.ForeignKey(
        ClientOrganisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_digest = models.CharField(max_length=64, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["practice", "email"], name="invitation_practice_email")]
        constraints = [
            models.UniqueConstraint(fields=["practice", "token_digest"], name="invitation_token_unique"),
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="invitation_email_lowercase"),
            visible_text_constraint("full_name", name="invitation_full_name_visible"),
        ]

    def __str__(self) -> str:
        return f"{self.email} as {self.get_role_display()}"

    def audit_subject(self) -> tuple[str, dict[str, object]]:
        """How the audit trail names it: its address read from here at display time, never copied."""
        return f"{{invitee}} as {self.get_role_display()}", {"invitee": self}

    @staticmethod
    def new_token() -> tuple[str, str]:
        return new_token()

    @staticmethod
    def digest(token: str) -> str:
        # Not `staticmethod(token_digest)`: in the class body that name is the field above.
        return token_digest(token)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at
