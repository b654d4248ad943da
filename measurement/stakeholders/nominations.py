"""The coachee names the people around them who rate the objectives (after the contract is accepted,
in the groups it names); the coach approves each before anyone is invited, or declines it, and may
suggest changes. Admins and sponsors learn only counts, so the audit trail records groups, never names
or emails.

Why the coach approves: a coachee who could fill a group with people they control would read the one
real answer from the group's mean (issue 22). Mailboxes are compared as `mailboxes.mailbox` reads them,
so plus-addressed or dotted variants of one address are one person."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from coachhub.tenancy import audit
from coachhub.tenancy.events import publish
from coachhub.tenancy.validators import validate_visible_characters
from engagements.access import COACH, COACHEE, require_relation
from engagements.locking import lock_engagement
from engagements.models import ContractVersion, Engagement
from measurement.events import NomineeApproved
from measurement.models import MeasurementPoint, NominationSuggestion, Nominee, StakeholderResponse
from measurement.stakeholders.mailboxes import mailbox
from measurement.summaries.building import refresh_summary
from sessions.selectors import contract_in_force

NAME_MAX_LENGTH = 150


def _contract(engagement: Engagement) -> ContractVersion:
    contract = contract_in_force(engagement)
    if engagement.stage != Engagement.Stage.ACTIVE or contract is None:
        raise ValidationError("Stakeholders are named once the contract is accepted, while the coaching runs.")
    if not contract.stakeholder_groups:
        raise ValidationError("This contract names no stakeholder groups, so there is no one to nominate.")
    return contract


def open_points(engagement: Engagement):
    """The engagement's points open for answers now (fallen due, not closed)."""
    return MeasurementPoint.objects.filter(engagement=engagement, fell_due_at__isnull=False, closed_at__isnull=True)


@transaction.atomic
def nominate_stakeholder(*, engagement: Engagement, actor, group: str, name: str, email: str) -> Nominee:
    """The coachee names one stakeholder in one of the contract's groups. An email is named once per
    engagement (never twice, never in two groups), and never the coachee's, the coach's or the
    sponsor's own: they rate as themselves."""
    engagement = lock_engagement(engagement.pk)
    require_relation(actor, engagement, COACHEE)
    contract = _contract(engagement)
    name, email = " ".join((name or "").split()), (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if group not in contract.stakeholder_groups:
        errors["group"] = [f"Choose one of the contract's groups: {', '.join(contract.stakeholder_groups)}."]
    if not name:
        errors["name"] = ["Give the stakeholder's name."]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [f"Use at most {NAME_MAX_LENGTH} characters for the name."]
    elif problem := validate_visible_characters.message_for(name):
        errors["name"] = [problem]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Give an email address like name@example.com."]
    else:
        parties = {
            mailbox(engagement.coachee.email): "you, the coachee", mailbox(engagement.coach.email): "your coach",
            **({mailbox(contract.sponsor.email): "the sponsor"} if contract.sponsor_id else {}),
        }
        named = Nominee.objects.filter(engagement=engagement, purged_at__isnull=True).values_list("email", flat=True)
        reaches = mailbox(email)
        if reaches in parties:
            errors["email"] = [
                f"That address reaches {parties[reaches]}, who rates at the measurement points already: name someone else."
            ]
        elif reaches in {mailbox(other) for other in named}:
            errors["email"] = ["That address reaches someone already named for this coaching (each person once, in one group)."]
    if errors:
        raise ValidationError(errors)
    nominee = Nominee.objects.create(
        engagement=engagement, group=group, name=name, email=email, nominated_by=actor,
        link_secret=secrets.token_hex(16),
    )
    audit.record(actor=actor, action="stakeholder.nominated", subject=f"Engagement {engagement.pk}", group=group)
    return nominee


def _awaiting(nominee: Nominee, actor) -> tuple[Engagement, Nominee]:
    """The nominee, re-read under the engagement's lock, if `actor` is its engagement's coach and it
    awaits their decision."""
    engagement = lock_engagement(nominee.engagement_id)
    require_relation(actor, engagement, COACH)
    _contract(engagement)
    nominee = Nominee.objects.filter(pk=nominee.pk, engagement=engagement, purged_at__isnull=True).first()
    if nominee is None or nominee.approval != Nominee.Approval.AWAITING:
        raise ValidationError("That stakeholder is not waiting for your decision (the list has changed): see it again.")
    return engagement, nominee


@transaction.atomic
def approve_nominee(*, nominee: Nominee, actor) -> Nominee:
    """The coach confirms a nominee (name, email, group): from now on they are invited, at once to a
    point open now."""
    engagement, nominee = _awaiting(nominee, actor)
    nominee.approval = Nominee.Approval.APPROVED
    nominee.save(update_fields=["approval", "updated_at"])
    publish(NomineeApproved(nominee=nominee))
    audit.record(actor=actor, action="stakeholder.approved", subject=f"Engagement {engagement.pk}", group=nominee.group)
    return nominee


@transaction.atomic
def decline_nominee(*, nominee: Nominee, actor) -> Nominee:
    """The coach declines a nominee: never invited; the coachee sees it declined and may remove it."""
    engagement, nominee = _awaiting(nominee, actor)
    nominee.approval = Nominee.Approval.DECLINED
    nominee.save(update_fields=["approval", "updated_at"])
    # Named before approval was asked for, they may have answered an open point: that answer goes.
    StakeholderResponse.objects.filter(nominee=nominee).delete()
    refresh_summary(engagement.pk)  # the stakeholder rates it shows
    audit.record(actor=actor, action="stakeholder.declined", subject=f"Engagement {engagement.pk}", group=nominee.group)
    return nominee


@transaction.atomic
def remove_nominee(*, nominee: Nominee, actor) -> None:
    """The coachee removes a stakeholder. While a point is open a group may not drop below the
    number of responses it needs (its results could not be shown); an answer already given stays,
    without its person."""
    engagement = lock_engagement(nominee.engagement_id)
    require_relation(actor, engagement, COACHEE)
    contract = _contract(engagement)
    if open_points(engagement).exists() and nominee.approval == Nominee.Approval.APPROVED:
        left = Nominee.objects.filter(
            engagement=engagement, group=nominee.group, purged_at__isnull=True, approval=Nominee.Approval.APPROVED,
        ).exclude(pk=nominee.pk).count()
        if left < contract.stakeholder_minimum:
            raise ValidationError(
                f"Feedback is being collected now, and {nominee.group} would have {left} people named; it needs at least "
                f"{contract.stakeholder_minimum} for its results to be shown. Add someone to the group first."
            )
    StakeholderResponse.objects.filter(nominee=nominee).update(nominee=None)
    nominee.delete()
    refresh_summary(engagement.pk)
    audit.record(actor=actor, action="stakeholder.removed", subject=f"Engagement {engagement.pk}", group=nominee.group)


@transaction.atomic
def suggest_nominations(*, engagement: Engagement, actor, text: str) -> NominationSuggestion:
    """The coach suggests a change to the list (the coachee decides)."""
    engagement = lock_engagement(engagement.pk)
    require_relation(actor, engagement, COACH)
    _contract(engagement)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["Write the suggestion."]})
    if len(text) > 1000:
        raise ValidationError({"text": ["Keep the suggestion to 1000 characters."]})
    suggestion = NominationSuggestion.objects.create(engagement=engagement, author=actor, text=text)
    audit.record(actor=actor, action="stakeholder.suggested", subject=f"Engagement {engagement.pk}")
    return suggestion


@transaction.atomic
def unsubscribe_nominee(*, nominee: Nominee) -> Nominee:
    """One click from an email: no more invitations or reminders, and their link stops working."""
    if nominee.unsubscribed_at is None:
        nominee.unsubscribed_at = timezone.now()
        nominee.save(update_fields=["unsubscribed_at", "updated_at"])
        audit.record(actor=None, action="stakeholder.unsubscribed", subject=f"Engagement {nominee.engagement_id}", group=nominee.group)
    return nominee
