"""Reads about people and their access."""

from __future__ import annotations

from coachhub.tenancy.models import Membership, Practice


def access_refusal(user, practice: Practice | None) -> str | None:
    """Why `user` may not sign in here, in words for them; None when they may.

    At a practice: an active membership is needed. On the bare domain: platform staff only.
    """
    if practice is None:
        return None if user.is_staff else "Only CoachHub platform staff sign in here. Use your practice's address."
    memberships = list(Membership.objects.filter(user=user).values_list("is_active", flat=True))
    if any(memberships):
        return None
    if memberships:
        return f"Your access to {practice.name} has been deactivated. Please contact the practice if this is unexpected."
    return (
        f"This account has no access to {practice.name}. Check that you are at your practice's "
        "address, or ask the practice to invite you."
    )
