"""The audit trail: one row per change that matters to a practice's records — who, what, when,
from where, on what. Nobody rewrites it, the application included: its database role may only add
rows (migration 0008), and the one function that deletes any is the retention purge of sign-ins
older than 90 days (`purge_sign_ins`).

An entry never stores a person's name or email as text. Its subject names people by placeholder
("{coachee} with {coach}") and keeps who they are by id (`people`); their names are read at display
time from their accounts (`name_people`). So erasing a person, which renames their account to
"Former coachee 17", changes what every entry about them shows, and no entry's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

from django.contrib.auth import get_user_model
from django.db import connection

from coachhub.tenancy.models import AuditEntry, Invitation

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


class Audited(Protocol):
    """An object the trail can name (an engagement, a contract version, a session): its subject in
    words, people as placeholders, and who they are."""

    def audit_subject(self) -> tuple[str, Mapping[str, object]]: ...


PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Where a name cannot be read any more (an account or invitation since deleted).
NO_LONGER_ON_RECORD = "(no longer on record)"


def record(*, actor, action: str, subject: str | Audited, people: Mapping[str, object] | None = None,
           **details) -> AuditEntry:
    """Add an entry. `subject` is words that name people only by placeholder, with `people` saying who
    each is (a person, their id, or an invitation for an address not yet a person), or an object that
    says its own (`audit_subject()`). `details` hold no names or emails either."""
    if not isinstance(subject, str):
        subject, people = subject.audit_subject()
    references = {placeholder: _reference(value) for placeholder, value in (people or {}).items()}
    missing = set(references) - set(PLACEHOLDER.findall(subject))
    if missing:
        raise ValueError(f"the subject {subject!r} does not place {sorted(missing)}")
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        subject=subject[:200],
        people=references,
        details=details,
        ip_address=_address.get(),
    )


def _reference(value) -> int | dict | None:
    """A person by id (an int); an invitation as {"invitation": id}; None for nobody."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, Invitation):
        return {"invitation": value.pk}
    return value.pk


def name_people(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """The entries, each with `shown_subject`: its subject with the current names of the people it
    names. Two queries at most, however many entries and people."""
    entries = list(entries)
    person_ids, invitation_ids = set(), set()
    for entry in entries:
        for value in entry.people.values():
            if isinstance(value, dict):
                invitation_ids.add(value["invitation"])
            elif value is not None:
                person_ids.add(value)
    people = get_user_model().objects.in_bulk(person_ids) if person_ids else {}
    invitations = (
        dict(Invitation.objects.filter(pk__in=invitation_ids).values_list("pk", "email")) if invitation_ids else {}
    )

    def name(value) -> str:
        if value is None:
            return "someone unknown"
        if isinstance(value, dict):
            return invitations.get(value["invitation"], NO_LONGER_ON_RECORD)
        person = people.get(value)
        return (person.get_full_name() or person.email) if person else NO_LONGER_ON_RECORD

    for entry in entries:
        names = {placeholder: name(value) for placeholder, value in entry.people.items()}
        # Only the entry's own placeholders are filled: other braces in its words stay as written.
        entry.shown_subject = PLACEHOLDER.sub(lambda match, names=names: names.get(match[1], match[0]), entry.subject)
    return entries


def purge_sign_ins() -> int:
    """Delete the current practice's sign-in records older than 90 days (the database function
    decides the age, so nothing younger can be purged), leaving one entry per person saying how
    many went. Returns how many."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT person, purged FROM audit_purge_sign_ins()")
        purged = dict(cursor.fetchall())
    for pk, count in purged.items():
        record(actor=None, action="records.purged", subject="sign-in records of {person}", people={"person": pk},
               purged="sign-in records older than 90 days", person=pk, count=count)
    return sum(purged.values())

