"""Role gating for practice pages: a page that is not yours answers 404, like a missing one."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from coachhub.tenancy.models import Role


def role_required(*roles: Role):
    """Signed-in members holding one of `roles` pass; others get 404 (anonymous: sign in)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.roles.intersection(roles):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(Role.ADMIN)
