"""Accounts: the invitee accepts an invitation by its emailed link (coachhub/tenancy/services.py
sends it), and a leader who books online gets one."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import login
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from coachhub.accounts.events import PersonRenamed
from coachhub.accounts.models import User
from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.events import publish
from coachhub.tenancy.models import Invitation, Membership, Role


class InvitationExpired(Exception):
    """The link was real but is too old, or already used."""


def invitation_for_token(token: str) -> Invitation | None:
    """The pending invitation behind a link: None if forged, InvitationExpired if stale or used."""
    invitation = Invitation.objects.filter(token_digest=Invitation.digest(token)).first()
    if invitation is None:
        return None
    if invitation.accepted_at is not None or invitation.is_expired:
        raise InvitationExpired
    return invitation


@transaction.atomic
def accept_invitation(
    *, request: HttpRequest, invitation: Invitation, full_name: str, password: str
) -> User:
    """Create or confirm the account, grant the role, mark the email verified and sign in."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationExpired
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = User.objects.create_user(invitation.email, password, full_name=full_name)
    elif not user.has_usable_password():
        user.set_password(password)
        user.full_name = user.full_name or full_name
        user.save()
    # Following the emailed link proves the address.
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )
    membership, created = Membership.objects.get_or_create(
        user=user, role=invitation.role,
        defaults={"client_organisation": invitation.client_organisation},
    )
    if not created and not membership.is_active:
        membership.is_active, membership.deactivated_at = True, None
        membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save()
    audit.record(actor=user, action="invitation.accepted", subject=invitation)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return user


@transaction.atomic
def leader_account(*, email: str, full_name: str, time_zone: str) -> tuple[User, bool]:
    """Find or create the account of a leader who books online, with an active coachee role
    in the current practice. New accounts have no password (they sign in by emailed code) and
    an unverified address until the leader confirms it. Returns (user, created)."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    created = user is None
    if created:
        try:
            with transaction.atomic():
                user = User(email=email, full_name=full_name.strip(), time_zone=time_zone)
                user.set_unusable_password()
                user.save()
                EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
        except IntegrityError:
            # The same leader booking twice at once: the other request created the account.
            user, created = User.objects.get(email=email), False
    membership, new_role = Membership.objects.get_or_create(user=user, role=Role.COACHEE)
    if not new_role and not membership.is_active:
        membership.is_active, membership.deactivated_at = True, None
        membership.save()
    return user, created


@transaction.atomic
def save_profile(*, person: User, full_name: str, time_zone: str) -> User:
    """A person saves their own profile; a changed name is announced (`PersonRenamed`), so documents
    stored with the old one are dropped."""
    stored_name = User.objects.filter(pk=person.pk).values_list("full_name", flat=True).get()
    person.full_name, person.time_zone = full_name, time_zone
    person.save(update_fields=["full_name", "time_zone"])
    if full_name != stored_name:
        publish(PersonRenamed(practice_id=require_practice().pk, user_id=person.pk))
    return person
