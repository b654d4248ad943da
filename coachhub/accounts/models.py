"""People: one account per email address, across every practice they belong to."""

from __future__ import annotations

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from coachhub.tenancy.validators import validate_visible_characters, visible_text_constraint


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        return self.create_user(email, password, is_staff=True, is_superuser=True, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Roles live in tenancy.Membership; `is_staff` marks platform staff only."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True, validators=[validate_visible_characters])
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="Shown times use this zone; empty: the practice's."
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Platform staff: may use Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="user_email_lowercase"),
            visible_text_constraint("full_name", name="user_full_name_visible"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def audit_subject(self) -> tuple[str, dict[str, int | None]]:
        """How the audit trail names it: people by id, never by name (coachhub/tenancy/audit.py)."""
        return "{person}", {"person": self.pk}

    def clean(self) -> None:
        super().clean()
        self.email = self.email.lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]
