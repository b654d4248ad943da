"""Authentication backends that read the signed-in person from the cache on each request."""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend

from coachhub.tenancy import freshness


class CachedUserMixin:
    """`get_user` (run on every signed-in request) from Redis while no one's account changes
    (freshness's platform generation: a password, name or active flag change renews it)."""

    def get_user(self, user_id):
        load = super().get_user
        return freshness.cached(f"user:{user_id}", lambda: load(user_id), practice_id=None)


class PasswordBackend(CachedUserMixin, ModelBackend):
    pass


class AccountBackend(CachedUserMixin, AuthenticationBackend):
    pass
