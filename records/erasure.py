"""Erasing a person from a practice: anonymised in place, as the GDPR's right to erasure asks.

What happens (one transaction, audited, announced as `PersonErased` for the apps that keep more):
- their account leaves the practice (every membership ends) and can no longer sign in; their name and
  email become "Former coachee 17" (or coach, sponsor; "member" for an admin only), numbered per
  practice, so every page that names them shows the label;
- free text they wrote is removed: chemistry-call objectives and hopes, reflections, rating comments,
  comments on measurement points, reasons for moving them;
- the roster, told by `PersonErased` (coachhub/roster/subscribers.py), forgets a coach's profile texts
  and photo, time-off notes, the connections to their own calendars (credentials, busy times) and
  their feed link;
- free text others wrote in their engagements that names them (full name or email) says the label
  instead (anonymising.label_in_free_text lists the fields);
- stored files that name them are deleted in the transaction (records/files.py): their engagements'
  contract, progress and private-notes PDFs, rendered again with the label on the next download, and
  every export of the practice (the owners may ask for new ones);
- private coach notes of their engagements are purged (sessions and kept drafts), and the chemistry
  calls' notes about them;
- their notification settings, exports and pending reminders go; invitations to their address are
  re-addressed to the label's; audit entries, which name people by id, show the label from then on;
- contract versions they accepted are kept, with their acceptance records and hashes, while the
  contract's record-keeping period runs (GDPR Art. 17(3)(b) and (e): a legal obligation to keep
  records, and the establishment or defence of legal claims); the retention purge removes them later.

Refused, with the reason, while they have an active engagement or upcoming bookings, while they are
the practice's last admin, while a reminder to them is being sent, and when the same account belongs
to another practice (erasing it here would erase it there too: platform staff handle that).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coachhub.roster.models import Booking
from coachhub.tenancy import audit
from coachhub.tenancy.mail import send_email
from coachhub.tenancy.models import Membership, Role
from engagements.models import Acceptance, ChemistryCall, Engagement
from measurement.models import MeasurementPoint, PointMove, Rating, RatingRevision
from measurement.summaries.building import refresh_summaries
from records.anonymising import (
    REMOVED_TEXT,
    anonymise,
    held_elsewhere,
    is_anonymised,
    label_in_free_text,
    lock_erasures,
)
from records.files import engagements_naming
from records.models import ErasureRequest
from records.retention.engagements import purge_nominees
from reminders.models import Reminder
from sessions.models import CoacheeReflection, CoachingSession, LogDraft

OPEN_STAGES = (Engagement.Stage.CHEMISTRY, Engagement.Stage.CONTRACTING, Engagement.Stage.ACTIVE)

LEGAL_BASIS = (
    "Contract versions this person accepted are kept, with their acceptance records and the hash of the "
    "exact text, while each contract's record-keeping period runs: the practice must be able to show what "
    "was agreed (UK and EU GDPR Article 17(3)(b), a legal obligation, and 17(3)(e), the establishment, "
    "exercise or defence of legal claims). The daily retention purge removes them when that period ends. "
    "The audit trail keeps what was done, under the label, never the name."
)


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing `person` would do, or why it is refused (`refusal`), for the confirmation page."""

    person: object
    roles: frozenset[str]
    refusal: str | None
    reminders_cancelled: int
    contract_versions_kept: int


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
    elif is_anonymised(person):
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
    lock_erasures()
    plan = plan_erasure(person)
    if plan.refusal:
        raise ValidationError(plan.refusal, code="refused")
    now = timezone.now()
    send_email(to=person.email, template_prefix="records/emails/erased", context={"person_name": person.get_full_name()})
    name, email = person.full_name, person.email
    nominees = _remove_free_text(person, now)
    erasure = anonymise(person, roles=set(plan.roles), actor=actor, now=now)
    label_in_free_text(person, name=name, email=email, label=erasure.label, now=now)
    # The summaries of their engagements are rebuilt here: measurement, below, does not hear records' events.
    refresh_summaries(engagements_naming(person))
    audit.record(
        actor=actor, action="records.person_erased", subject=erasure.label, erasure_request=erasure.pk,
        roles=sorted(plan.roles), reminders_cancelled=plan.reminders_cancelled,
        contract_versions_kept=plan.contract_versions_kept, nominees_purged=nominees,
    )
    return erasure


def _remove_free_text(person, now) -> int:
    """Returns how many stakeholder nominees they named were purged."""
    as_coachee = Engagement.objects.filter(coachee=person)
    Engagement.objects.filter(coachee=person).update(objectives="", hopes="", updated_at=now)
    mine = Q(engagement__coachee=person) | Q(engagement__coach=person)
    ChemistryCall.objects.filter(Q(engagement__in=as_coachee) | Q(coach=person)).update(coach_notes="", updated_at=now)
    CoacheeReflection.objects.filter(author=person).delete()
    Rating.objects.filter(rater=person).update(comment="", updated_at=now)
    RatingRevision.objects.filter(changed_by=person).update(comment="", updated_at=now)
    MeasurementPoint.objects.filter(engagement__coach=person).update(coach_comment="", updated_at=now)
    PointMove.objects.filter(Q(moved_by=person) | Q(point__engagement__coachee=person)).update(reason=REMOVED_TEXT, updated_at=now)
    # Private coach notes of their engagements, as the retention purge would at the end of the period.
    CoachingSession.objects.filter(mine).exclude(private_notes_ciphertext="").update(private_notes_ciphertext="", updated_at=now)
    LogDraft.objects.filter(Q(author=person) | Q(session__engagement__coachee=person)).delete()
    # The stakeholders they named lose their names and emails, as at the end of the retention period.
    return sum(purge_nominees(engagement=engagement, now=now) for engagement in as_coachee.order_by("pk"))
