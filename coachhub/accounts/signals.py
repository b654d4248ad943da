"""Bind a signed-in session to the practice (or platform) it was opened at, and keep the sign-in
in the practice's audit trail."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from coachhub.tenancy import audit
from coachhub.tenancy.middleware import SESSION_PRACTICE_KEY


@receiver(user_logged_in, dispatch_uid="accounts_bind_session_to_practice")
def bind_session_to_practice(sender, request, user, **kwargs) -> None:
    if request is not None:
        practice = getattr(request, "practice", None)
        request.session[SESSION_PRACTICE_KEY] = practice.pk if practice else None


@receiver(user_logged_in, dispatch_uid="accounts_audit_sign_in")
def audit_sign_in(sender, request, user, **kwargs) -> None:
    # Platform staff sign in on the bare domain, which has no practice and no trail.
    if request is not None and getattr(request, "practice", None) is not None:
        audit.record(actor=user, action=audit.SIGN_IN, subject=user)
