"""Bind a signed-in session to the practice (or platform) it was opened at."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from coachhub.tenancy.middleware import SESSION_PRACTICE_KEY


@receiver(user_logged_in, dispatch_uid="accounts_bind_session_to_practice")
def bind_session_to_practice(sender, request, user, **kwargs) -> None:
    if request is not None:
        practice = getattr(request, "practice", None)
        request.session[SESSION_PRACTICE_KEY] = practice.pk if practice else None
