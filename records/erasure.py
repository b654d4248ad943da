"""Erasing a person from a practice: anonymised in place, as the GDPR's right to erasure asks.

What happens (one transaction, audited, announced as `PersonErased` for the apps that keep more):
- their account leaves the practice (every membership ends) and can no longer sign in; their name and
  email become "Former coachee 17" (or coach, sponsor; "member" for an admin only), numbered per
  practice, so every page that names them shows the label;
- free text they wrote is removed: chemistry-call objectives and hopes, reflections, rating comments,
  their coach profile and time-off notes, comments on measurement points, reasons for moving them;
- private coach notes of their engagements are purged (sessions and kept drafts), and the chemistry
  calls' notes about them;
- their notification settings, exports and pending reminders go; invitations to their address are
  re-addressed to the label's; audit entries that wrote their name or email say the label instead;
- contract versions they accepted are kept, with their acceptance records and hashes, while the
  contract's record-keeping period runs (GDPR Art. 17(3)(b) and (e): a legal obligation to keep
  records, and the establishment or defence of legal claims); the retention purge removes them later.

Refused, with the reason, while they have an active engagement or upcoming bookings, while they are
the practice's last admin, while a reminder to them is being sent, and when the same account belongs
to another practice (erasing it here would erase it there too: platform staff handle that).
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from coachhub.accounts.events import PersonErased
from coachhub.roster.models import Booking, CoachProfile, TimeOff
from coachhub.tenancy import audit
from coachhub.tenancy.context import practice_context, require_practice
from coachhub.tenancy.events import publish
from coachhub.tenancy.mail import send_email
from coachhub.tenancy.models import Invitation, Membership, Practice, Role
from engagements.models import Acceptance, ChemistryCall, Engagement
from measurement.models import MeasurementPoint, PointMove, Rating, RatingRevision
from records.models import DataExport, ErasureRequest
from reminders.models import NotificationSettings, Reminder
from records.retention.engagements import purge_nominees
from sessions.models import CoacheeReflection, CoachingSession, LogDraft

OPEN_STAGES = (Engagement.Stage.CHEMISTRY, Engagement.Stage.CONTRACTING, Engagement.Stage.ACTIVE)
ERASED_DOMAIN = "erased.invalid"

LEGAL_BASIS = (
    "Contract versions this person accepted are kept, with their acceptance records and the hash of the "
    "exact text, while each contract's record-keeping period runs: the practice must be able to show what "
    "was agreed (UK and EU GDPR Article 17(3)(b), a legal obligation, and 17(3)(e), the establishment, "
    "exercise or defence of legal claims). The daily retention purge removes them when that period ends. "
    "The audit trail keeps what was done, under the label, never the name."
)


def _label_role(roles: set[str]) -> str:
    for role in (Role.COACHEE, Role.COACH, Role.SPONSOR):
        if role in roles:
            return str(role)
    return "member"


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing `person` would do, or why it is refused (`refusal`), for the confirmation page."""

    person: object
    roles: frozenset[str]
    refusal: str | None
    reminders_cancelled: int
    contract_versions_kept: int


def held_elsewhere(person) -> bool:
    """Whether the account has a membership in another practice. Row-Level Security shows one practice
    at a time, so each other practice is asked in its own context (erasures are rare)."""
    current = require_practice()
    for practice in Practice.objects.exclude(pk=current.pk).only("pk"):
        with practice_context(practice):
            if Membership.objects.filter(user=person).exists():
                return True
    return False


def plan_erasure(person) -> ErasurePlan:
    """The refusal reason (the first that applies) and what erasure would touch. A fixed number of queries
    (plus one per other practice when nothing else refuses)."""
    memberships = list(Membership.objects.filter(user=person))
    roles = frozenset(m.role for m in memberships)
    name = person.get_full_name()
    now = timezone.now()
    refusal = None
    if not memberships:
        refusal = "Nobody with that email address has, or had, a role in this practice."
    elif person.email.endswith("@" + ERASED_DOMAIN):
        refusal = "This person has already been erased."
    elif any(m.role == Role.ADMIN and m.is_active for m in memberships) and not Membership.objects.filter(
        role=Role.ADMIN, is_active=True
    ).exclude(user=person).exists():
        refusal = f"{name} is the practice's last admin: make someone else an admin first."
    elif Engagement.objects.filter(Q(coachee=person) | Q(coach=person) | Q(sponsor=person), stage__in=OPEN_STAGES).exists():
        refusal = (
            f"{name} has an active engagement. Erasure can be done once it is completed or closed "
            "(the contract's record keeping applies until then)."
        )
    elif Booking.objects.filter(is_active=True, starts_at__gt=now).filter(
        Q(coach=person) | Q(chemistry_call__engagement__coachee=person)
        | Q(coaching_session__engagement__coachee=person) | Q(contracting_session__engagement__coachee=person)
    ).exists():
        refusal = f"{name} has upcoming bookings: cancel them first, then erase."
    elif Reminder.objects.filter(recipient=person, state=Reminder.State.SENDING).exists():
        refusal = f"A reminder to {name} is being sent right now. Try again in a minute."
    reminders = Reminder.objects.filter(recipient=person, state=Reminder.State.PENDING).count()
    kept = _accepted_versions(person)
    if refusal is None and held_elsewhere(person):
        refusal = (
            f"{name}'s account also belongs to another practice on CoachHub, so it cannot be anonymised from "
            "here. Their roles here can be ended on the People page; ask platform staff to erase the account."
        )
    return ErasurePlan(person=person, roles=roles, refusal=refusal, reminders_cancelled=reminders, contract_versions_kept=kept)


def _accepted_versions(person) -> int:
    return Acceptance.objects.filter(party=person).values("version").distinct().count()


@transaction.atomic
def request_erasure(*, person) -> ErasureRequest:
    """The person asks to be erased: the request waits on the admins' list (one at a time)."""
    existing = ErasureRequest.objects.filter(person=person, status=ErasureRequest.Status.PENDING).first()
    if existing is not None:
        raise ValidationError("You have already asked to be erased: the practice's admins have your request.")
    erasure = ErasureRequest.objects.create(person=person, requested_by=person)
    audit.record(actor=person, action="records.erasure_requested", subject=f"Erasure request {erasure.pk}",
                 erasure_request=erasure.pk)
    return erasure


@transaction.atomic
def decline_erasure(*, erasure: ErasureRequest, actor, reason: str) -> ErasureRequest:
    erasure.status, erasure.handled_by, erasure.handled_at = ErasureRequest.Status.DECLINED, actor, timezone.now()
    erasure.save(update_fields=["status", "handled_by", "handled_at", "updated_at"])
    audit.record(actor=actor, action="records.erasure_declined", subject=f"Erasure request {erasure.pk}",
                 erasure_request=erasure.pk, reason=reason[:500])
    return erasure


@transaction.atomic
def erase_person(*, person, actor) -> ErasureRequest:
    """Erase `person` from the current practice (see the module's docstring); ValidationError with the
    reason when refused. Returns the handled (or new) erasure request carrying the label."""
    practice = require_practice()
    with connection.cursor() as cursor:  # one erasure at a time per practice: numbers and checks stay true
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('records.erasure'), %s)", [practice.pk])
    plan = plan_erasure(person)
    if plan.refusal:
        raise ValidationError(plan.refusal, code="refused")
    now = timezone.now()
    number = (ErasureRequest.objects.aggregate(last=Max("number"))["last"] or 0) + 1
    role = _label_role(set(plan.roles))
    label = f"Former {role} {number}"
    old_email, new_email = person.email, f"former-{role}-{number}@{practice.slug}.{ERASED_DOMAIN}"
    roles = sorted(plan.roles)

    send_email(to=old_email, template_prefix="records/emails/erased", context={"person_name": person.get_full_name()})
    _remove_free_text(person, now)
    _end_access(person, now)
    Invitation.objects.filter(email=old_email).update(email=new_email, full_name="")
    # The audit trail keeps what was done, under the label: its entries that wrote the email or the
    # name say the label instead (the database function may, the app's role may not edit entries).
    audit.redact(old_email, new_email)
    old_name = person.full_name.strip()
    if len(old_name) >= 3:
        audit.redact(old_name, label)
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
    erasure.number, erasure.label = number, label
    erasure.save()
    audit.record(
        actor=actor, action="records.person_erased", subject=label, erasure_request=erasure.pk, roles=roles,
        reminders_cancelled=plan.reminders_cancelled, contract_versions_kept=plan.contract_versions_kept,
    )
    publish(PersonErased(practice_id=practice.pk, user_id=person.pk, label=label, roles=tuple(roles)))
    return erasure


def _remove_free_text(person, now) -> None:
    as_coachee = Engagement.objects.filter(coachee=person)
    Engagement.objects.filter(coachee=person).update(objectives="", hopes="", updated_at=now)
    mine = Q(engagement__coachee=person) | Q(engagement__coach=person)
    ChemistryCall.objects.filter(Q(engagement__in=as_coachee) | Q(coach=person)).update(coach_notes="", updated_at=now)
    CoacheeReflection.objects.filter(author=person).delete()
    Rating.objects.filter(rater=person).update(comment="", updated_at=now)
    RatingRevision.objects.filter(changed_by=person).update(comment="", updated_at=now)
    MeasurementPoint.objects.filter(engagement__coach=person).update(coach_comment="", updated_at=now)
    PointMove.objects.filter(Q(moved_by=person) | Q(point__engagement__coachee=person)).update(reason="", updated_at=now)
    # Private coach notes of their engagements, as the retention purge would at the end of the period.
    CoachingSession.objects.filter(mine).exclude(private_notes_ciphertext="").update(private_notes_ciphertext="", updated_at=now)
    LogDraft.objects.filter(Q(author=person) | Q(session__engagement__coachee=person)).delete()
    for profile in CoachProfile.objects.filter(user=person):
        if profile.photo:
            profile.photo.delete(save=False)
        CoachProfile.objects.filter(pk=profile.pk).update(
            photo="", headline="", bio="", approach="", specialisms=[], accreditations=[], languages=[],
            video_link="", is_published=False, is_active=False, updated_at=now,
        )
    TimeOff.objects.filter(coach__user=person).update(note="", updated_at=now)
    # The stakeholders they named lose their names and emails, as at the end of the retention period.
    for engagement in as_coachee.order_by("pk"):
        purge_nominees(engagement=engagement, now=now)


def _end_access(person, now) -> None:
    Membership.objects.filter(user=person, is_active=True).update(is_active=False, deactivated_at=now, updated_at=now)
    NotificationSettings.objects.filter(user=person).delete()
    Reminder.objects.filter(recipient=person, state=Reminder.State.PENDING).update(
        state=Reminder.State.CANCELLED, reason="the person was erased", updated_at=now,
    )
    for export in DataExport.objects.filter(person=person):
        if export.file_path:
            default_storage.delete(export.file_path)
    DataExport.objects.filter(person=person).delete()
