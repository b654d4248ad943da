"""Writes to practices, memberships, invitations and client organisations. Each one transaction, audited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coachhub.tenancy import audit
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.mail import send_email
from coachhub.tenancy.models import ClientOrganisation, Invitation, Membership, Practice, Role


@transaction.atomic
def update_practice(*, practice: Practice, actor, changes: dict) -> Practice:
    """Apply settings/branding changes (already validated by a form) and audit what changed."""
    before = {field: getattr(practice, field) for field in changes}
    for field, value in changes.items():
        setattr(practice, field, value)
    practice.full_clean()
    practice.save()
    changed = {field: str(value) for field, value in changes.items() if before[field] != value}
    if changed:
        audit.record(actor=actor, action="practice.updated", subject=practice.name, changed=changed)
    return practice


@transaction.atomic
def set_roles(*, user, roles: set[str], actor, client_organisation: ClientOrganisation | None = None) -> list[str]:
    """Make `roles` the person's active roles here: add or reactivate some, end the others, and
    make `client_organisation` their sponsor's and coachee's organisation (None: none, which a
    sponsor cannot be). Returns what changed, one phrase each; empty when nothing did.

    Ended memberships stay (history is kept). The practice always keeps an active admin.
    """
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(f"Unknown role: {', '.join(sorted(unknown))}.")
    clients = roles & {Role.SPONSOR, Role.COACHEE}
    if Role.SPONSOR in roles and client_organisation is None:
        raise ValidationError({"client_organisation": "A sponsor works for a client organisation: choose it."})
    if client_organisation is not None and not clients:
        raise ValidationError({"client_organisation": (
            "Only sponsors and coachees belong to a client organisation: clear it, or tick one of those roles."
        )})
    memberships = {m.role: m for m in Membership.objects.select_for_update().filter(user=user)}
    if Role.ADMIN not in roles and memberships.get(Role.ADMIN) and memberships[Role.ADMIN].is_active:
        admins = Membership.objects.select_for_update().filter(role=Role.ADMIN, is_active=True)
        if admins.exclude(user=user).count() == 0:
            raise ValidationError("The practice needs at least one active practice admin.")
    now, changes = timezone.now(), []
    for role in Role.values:
        membership = memberships.get(role)
        wanted = role in roles
        organisation = client_organisation if role in clients else None
        label = Role(role).label
        if wanted and membership is None:
            Membership.objects.create(user=user, role=role, client_organisation=organisation)
            changes.append(f"{label} role added")
        elif wanted and (not membership.is_active or membership.client_organisation_id != getattr(organisation, "pk", None)):
            if not membership.is_active:
                changes.append(f"{label} role given back")
            if membership.client_organisation_id != getattr(organisation, "pk", None):
                changes.append(f"{label} now of {organisation}" if organisation else f"{label} now of no organisation")
            membership.is_active, membership.deactivated_at = True, None
            membership.client_organisation = organisation
            membership.save()
        elif not wanted and membership is not None and membership.is_active:
            membership.is_active, membership.deactivated_at = False, now
            membership.save()
            changes.append(f"{label} role ended")
        else:
            continue
        audit.record(
            actor=actor, action="membership.granted" if wanted else "membership.ended",
            subject=f"{{person}} as {label}", people={"person": user},
        )
    return changes


def deactivate_person(*, user, actor) -> None:
    """End every role the person holds here; they can no longer sign in to this practice."""
    set_roles(user=user, roles=set(), actor=actor)


@transaction.atomic
def save_client_organisation(*, organisation: ClientOrganisation, actor) -> ClientOrganisation:
    created = organisation.pk is None
    organisation.save()
    audit.record(
        actor=actor, action="organisation.created" if created else "organisation.renamed",
        subject=organisation.name,
    )
    return organisation


@transaction.atomic
def create_practice(*, slug: str, name: str, time_zone: str, admin_email: str | None, actor, base_url: str) -> Practice:
    """Platform staff open a practice; its first admin is invited by email."""
    practice = Practice(slug=slug, name=name, time_zone=time_zone)
    practice.full_clean()
    practice.save()
    if admin_email:
        with practice_context(practice):
            invite_person(email=admin_email, role=Role.ADMIN, invited_by=actor, base_url=base_url)
    return practice


@transaction.atomic
def set_practice_suspended(*, practice: Practice, suspended: bool, actor) -> None:
    practice.suspended_at = timezone.now() if suspended else None
    practice.save(update_fields=["suspended_at", "updated_at"])
    with practice_context(practice):
        audit.record(actor=actor, action="practice.suspended" if suspended else "practice.reactivated", subject=practice.name)


@transaction.atomic
def invite_person(
    *, email: str, role: str, invited_by, full_name: str = "",
    base_url: str, client_organisation: ClientOrganisation | None = None,
) -> Invitation:
    """Create an invitation and email its link. A person already active in that role is refused.

    `base_url` is the practice's address as the invitee should see it (its host, or custom domain).
    """
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    if Membership.objects.filter(user__email=email, role=role, is_active=True).exists():
        raise ValidationError({"email": f"{email} is already a {Role(role).label.lower()} here."})
    token, digest = Invitation.new_token()
    invitation = Invitation.objects.create(
        email=email, role=role, full_name=full_name, token_digest=digest,
        invited_by=invited_by if invited_by and invited_by.is_authenticated else None,
        expires_at=timezone.now() + Invitation.TTL, client_organisation=client_organisation,
    )
    audit.record(actor=invited_by, action="invitation.sent", subject=invitation)
    # The practice urlconf, also when staff invite from the platform host.
    link = base_url.rstrip("/") + reverse("accept_invitation", args=[token], urlconf=settings.ROOT_URLCONF)
    send_email(
        to=email, template_prefix="emails/invitation",
        context={"invitation": invitation, "link": link, "inviter": invited_by, "role": Role(role).label},
    )
    return invitation
