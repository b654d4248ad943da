"""Anonymising a person in place: what erasure (records/erasure.py) and the retention purge
(records/retention/) both do to an account that leaves the practice's records.

Their name and email become a label such as "Former coachee 17" (numbered per practice, unrelated to
any id; the number is kept on an `ErasureRequest`, which also shows the admins who was erased and
why); every role here ends and the account can no longer sign in; notification settings, exports and
pending reminders go; invitations to their address are re-addressed. Audit entries are not touched:
they name people by id, so the renamed account makes them show the label (coachhub/tenancy/audit.py).
`PersonErased` is announced for the apps below that keep more of a person (the roster: a coach's
profile and own calendars).
"""

from __future__ import annotations

import re
from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q, QuerySet

from coachhub.accounts.events import PersonErased
from coachhub.accounts.models import User
from coachhub.tenancy.context import practice_context, require_practice
from coachhub.tenancy.events import publish
from coachhub.tenancy.models import Invitation, Membership, Practice, Role
from engagements.models import ChemistryCall, Engagement
from measurement.models import (
    MeasurementPoint,
    NominationSuggestion,
    PointMove,
    Rating,
    RatingRevision,
    StakeholderResponse,
)
from records.files import engagements_naming, forget_files_naming
from records.models import DataExport, ErasureRequest
from reminders.models import NotificationSettings, Reminder
from sessions.models import ActionItem, CoacheeReflection, CoachingSession, LogDraft

ERASED_DOMAIN = "erased.invalid"
# What a removed text says where the database wants one (a point move keeps that it moved, not why).
REMOVED_TEXT = "(removed)"
ANONYMOUS_COACHEE = "Former coachee (records purged)"


def lock_erasures(*, wait: bool = True) -> bool:
    """One erasure at a time per practice (until the transaction ends): numbers and checks stay true.
    With `wait=False`, returns False at once when another holds it."""
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(hashtext('records.erasure'), %s)", [require_practice().pk])
        return wait or cursor.fetchone()[0]


def anonymous_coachee() -> User:
    """The account a purged engagement's coachee becomes (records/retention/engagements.py): one per
    practice, shared by every purged engagement so that none can be told apart by it; it cannot sign in
    and holds no role."""
    email = f"anonymous-coachee@{require_practice().slug}.{ERASED_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User(email=email, full_name=ANONYMOUS_COACHEE, is_active=False)
                user.set_unusable_password()
                user.save()
        except IntegrityError:  # made a moment ago by another purge of this practice
            user = User.objects.get(email=email)
    return user


def label_role(roles: set[str]) -> str:
    for role in (Role.COACHEE, Role.COACH, Role.SPONSOR):
        if role in roles:
            return str(role)
    return "member"


def is_anonymised(person) -> bool:
    return person.email.endswith("@" + ERASED_DOMAIN) or person.email.endswith("." + ERASED_DOMAIN)


def held_elsewhere(person) -> bool:
    """Whether the account has a membership in another practice. Row-Level Security shows one practice
    at a time, so each other practice is asked in its own context (erasures are rare)."""
    current = require_practice()
    for practice in Practice.objects.exclude(pk=current.pk).only("pk"):
        with practice_context(practice):
            if Membership.objects.filter(user=person).exists():
                return True
    return False


def anonymise(person, *, roles: set[str], actor, now: datetime, reason: str = "") -> ErasureRequest:
    """Anonymise `person` in the current practice (the caller holds `lock_erasures()` and has checked
    that they may be). Returns the handled (or new) erasure request carrying the label; `reason` says
    why when nobody asked (the retention purge)."""
    practice = require_practice()
    number = (ErasureRequest.objects.aggregate(last=Max("number"))["last"] or 0) + 1
    role = label_role(roles)
    label = f"Former {role} {number}"
    old_email, new_email = person.email, f"former-{role}-{number}@{practice.slug}.{ERASED_DOMAIN}"

    _end_access(person, now)
    Invitation.objects.filter(email=old_email).update(email=new_email, full_name="")
    person.full_name = label
    person.email = new_email
    person.time_zone = ""
    person.is_active = False
    person.set_unusable_password()
    person.save(update_fields=["full_name", "email", "time_zone", "is_active", "password"])
    EmailAddress.objects.filter(user=person).delete()
    Authenticator.objects.filter(user=person).delete()

    erasure = ErasureRequest.objects.filter(person=person, status=ErasureRequest.Status.PENDING).first()
    if erasure is None:
        erasure = ErasureRequest(person=person, requested_by=actor)
    erasure.status, erasure.handled_by, erasure.handled_at = ErasureRequest.Status.ERASED, actor, now
    erasure.number, erasure.label, erasure.reason = number, label, reason
    erasure.save()
    publish(PersonErased(practice_id=practice.pk, user_id=person.pk, label=label, roles=tuple(sorted(roles))))
    return erasure


def _end_access(person, now: datetime) -> None:
    Membership.objects.filter(user=person, is_active=True).update(is_active=False, deactivated_at=now, updated_at=now)
    NotificationSettings.objects.filter(user=person).delete()
    Reminder.objects.filter(recipient=person, state=Reminder.State.PENDING).update(
        state=Reminder.State.CANCELLED, reason="the person was erased", updated_at=now,
    )
    for export in DataExport.objects.filter(person=person):
        if export.file_path:
            default_storage.delete(export.file_path)
    DataExport.objects.filter(person=person).delete()
    # Stored files that name them go too: their engagements' PDFs, and the exports of everyone else.
    forget_files_naming(person, now=now)


class TryAgainLater(Exception):
    """The retention purge cannot anonymise the person right now (an erasure is under way, or a reminder
    to them is being handed over): its step is rolled back and done on a later run."""


def forget_former_coachee(person, *, now: datetime, reason: str) -> tuple[str | None, str]:
    """After the retention purge took a coachee's engagement: a person who held only the coachee role
    here, has no engagement left unpurged and belongs to no other practice has nothing the practice
    keeps them for, so their contact details go too (anonymised as erasure does, without the email
    erasure sends). Returns (label, what happened to the account) for the purge's audit line."""
    if is_anonymised(person):
        return None, "already anonymised"
    # The purge holds the engagement's lock; an erasure takes this lock first and then its engagements'
    # rows, so waiting here could deadlock: the step is tried again on the next run instead.
    if not lock_erasures(wait=False):
        raise TryAgainLater("an erasure is under way in this practice")
    roles = set(Membership.objects.filter(user=person).values_list("role", flat=True))
    if roles - {Role.COACHEE}:
        return None, "kept: they hold another role here"
    if Engagement.objects.filter(coachee=person, purged_at__isnull=True).exists():
        return None, "kept: they have other coaching here"
    if Reminder.objects.filter(recipient=person, state=Reminder.State.SENDING).exists():
        raise TryAgainLater(f"a reminder to person {person.pk} is being sent")
    if held_elsewhere(person):
        return None, "kept: the account belongs to another practice too"
    erasure = anonymise(person, roles=roles or {Role.COACHEE}, actor=None, now=now, reason=reason)
    return erasure.label, f"anonymised as {erasure.label}"


def _free_text_of(engagements: list[int]) -> list[tuple[QuerySet, tuple[str, ...]]]:
    """The free text others wrote in these engagements, where a person's name or email may stand."""
    return [
        (Engagement.objects.filter(pk__in=engagements), ("objectives", "hopes")),
        (ChemistryCall.objects.filter(engagement__in=engagements), ("coach_notes",)),
        (CoachingSession.objects.filter(engagement__in=engagements), ("goals", "summary")),
        (LogDraft.objects.filter(session__engagement__in=engagements), ("goals", "summary")),
        (ActionItem.objects.filter(engagement__in=engagements), ("text",)),
        (CoacheeReflection.objects.filter(engagement__in=engagements), ("text",)),
        (MeasurementPoint.objects.filter(engagement__in=engagements), ("coach_comment",)),
        (PointMove.objects.filter(point__engagement__in=engagements), ("reason",)),
        (Rating.objects.filter(point__engagement__in=engagements), ("comment",)),
        (RatingRevision.objects.filter(rating__point__engagement__in=engagements), ("comment",)),
        (StakeholderResponse.objects.filter(point__engagement__in=engagements, point__closed_at__isnull=True), ("comment",)),
        (NominationSuggestion.objects.filter(engagement__in=engagements), ("text",)),
    ]


def label_in_free_text(person, *, name: str, email: str, label: str, now: datetime) -> int:
    """Where others' free text in the erased person's own engagements (engagements_naming) names them by
    their full name or email (any case, as a whole word), it says `label` instead: a sponsor's comment
    "Sophie Lin has grown" reads "Former coachee 3 has grown". Text in other engagements is not theirs to
    change. Returns the rows changed."""
    needles = [needle for needle in (email.strip(), name.strip()) if len(needle) >= 3]
    if not needles:
        return 0
    # Not \b: a needle may begin or end with a character that is not a letter ("Lin." or "o'neil@").
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(needle)}(?!\w)" for needle in needles), re.IGNORECASE)
    engagements = engagements_naming(person)
    changed = 0
    for queryset, fields in _free_text_of(engagements):
        for row in queryset.filter(_mentions(fields, needles)).only("pk", *fields):
            text = {field: pattern.sub(label, getattr(row, field)) for field in fields}
            queryset.model.objects.filter(pk=row.pk).update(**text, updated_at=now)
            changed += 1
    # A closed point's stakeholder answers are sealed (measurement migration 0007): a comment naming
    # the person may be erased, as retention does, but never rewritten, nor its time touched.
    sealed = StakeholderResponse.objects.filter(point__engagement__in=engagements, point__closed_at__isnull=False)
    for row in sealed.filter(_mentions(("comment",), needles)).only("pk", "comment"):
        if pattern.search(row.comment):
            changed += StakeholderResponse.objects.filter(pk=row.pk).update(comment="")
    return changed


def _mentions(fields: tuple[str, ...], needles: list[str]) -> Q:
    mentions = Q()
    for field in fields:
        for needle in needles:
            mentions |= Q(**{f"{field}__icontains": needle})
    return mentions
