"""The audit trail: one row per change that matters to a practice's records."""

from __future__ import annotations

from coachhub.tenancy.models import AuditEntry


def record(*, actor, action: str, subject: str, **details) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        subject=subject[:200],
        details=details,
    )
