"""Where each request comes from, for the audit trail."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from coachhub.tenancy import audit


def client_address(request: HttpRequest) -> str | None:
    """The client's address as allauth sees it (ALLAUTH_TRUSTED_PROXY_COUNT and friends apply, as
    they do to sign-in limits); None when it cannot be told."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


class AuditAddressMiddleware:
    """Audit entries written while a request runs record the address it came from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit.requests_from(client_address(request)):
            return self.get_response(request)
