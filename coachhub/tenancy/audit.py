"""The audit trail: one row per change that matters to a practice's records — who, what, when,
from where, on what. Append-only in the database (migration 0003): rows are only ever added here,
purged by `purge_sign_ins` and redacted by `redact`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection

from coachhub.tenancy.models import AuditEntry

SIGN_IN = "account.signed_in"

# The kinds of entry the audit page filters by: an action's first word, and what to call it.
KINDS = {
    "account": "Sign-ins",
    "membership": "Roles",
    "invitation": "Invitations",
    "organisation": "Client organisations",
    "practice": "Practice settings",
    "reminders": "Notification settings",
    "coach_profile": "Coach profiles",
    "coach_hours": "Coach availability",
    "coach_time_off": "Coach time off",
    "coach_calendar": "Coach calendar feeds",
    "calendar": "Calendar connections",
    "chemistry_call": "Chemistry calls",
    "engagement": "Engagements",
    "contract_template": "Contract template",
    "contract": "Contracts",
    "contracting_session": "Contracting sessions",
    "coaching_session": "Coaching sessions",
    "session_summary": "Session summaries",
    "worked_on_topics": "Session topics",
    "action_item": "Actions",
    "measurement_point": "Measurement points",
    "stakeholder": "Stakeholder nominations (groups and counts only)",
    "records": "Data exports, erasures and purges",
}


_address: ContextVar[str | None] = ContextVar("audit_request_address", default=None)


@contextmanager
def requests_from(address: str | None) -> Iterator[None]:
    """Within the block (a request), entries record `address` as where the change came from."""
    token = _address.set(address)
    try:
        yield
    finally:
        _address.reset(token)


def record(*, actor, action: str, subject: str, **details) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        subject=subject[:200],
        details=details,
        ip_address=_address.get(),
    )


def purge_sign_ins() -> int:
    """Delete the current practice's sign-in records older than 90 days (the database function
    decides the age, so nothing younger can be purged), leaving one entry per person saying how
    many went. Returns how many."""
    from django.contrib.auth import get_user_model

    with connection.cursor() as cursor:
        cursor.execute("SELECT person, purged FROM audit_purge_sign_ins()")
        purged = dict(cursor.fetchall())
    people = get_user_model().objects.in_bulk([pk for pk in purged if pk is not None])
    for pk, count in purged.items():
        person = people.get(pk)
        record(actor=None, action="records.purged", subject=f"sign-in records of {person.email if person else 'unknown'}",
               purged="sign-in records older than 90 days", person=pk, count=count)
    return sum(purged.values())


def redact(text: str, replacement: str) -> int:
    """Erasure: replace `text` (a name, an email) with `replacement` in every entry of the current
    practice that wrote it. Returns the entries changed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_redact(%s, %s)", [text, replacement])
        return cursor.fetchone()[0]
