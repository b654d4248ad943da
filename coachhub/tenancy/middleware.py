"""Request plumbing: health check, practice from the host, the viewer's roles and time zone."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coachhub.tenancy import health
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.selectors import active_roles, practice_for_host
from coachhub.tenancy.timezones import zone_for
from coachhub.tenancy.viewers import Viewer, requesting


SESSION_PRACTICE_KEY = "practice_id"


class HealthCheckMiddleware:
    """Answers /healthz first, on any host, without touching the tenant machinery."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return health.healthz()
        return self.get_response(request)


class PracticeMiddleware:
    """Finds the practice from the host and runs the whole request in its context.

    The request runs in one transaction whose first statement sets the practice for
    Row-Level Security; the bare domain runs as the platform (no tenant rows visible).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = request.get_host().rsplit(":", 1)[0].rstrip(".").lower()
        request.practice = None
        if host == settings.BASE_DOMAIN:
            request.urlconf = settings.PLATFORM_URLCONF
        else:
            practice = practice_for_host(host)
            if practice is None:
                return render(request, "tenancy/unknown_host.html", {"host": host}, status=404)
            if practice.is_suspended:
                return render(request, "tenancy/suspended.html", {"practice": practice}, status=403)
            request.practice = practice
        with practice_context(request.practice):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # The view failed: nothing it half-wrote may be committed with the request.
        transaction.set_rollback(True)


class MembershipMiddleware:
    """Loads the viewer's roles in this practice and activates their time zone.

    A signed-in person whose membership here has ended, or whose session was started at
    another practice, is signed out with a clear message.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.roles = frozenset()
        user = request.user
        practice = request.practice
        if user.is_authenticated and practice is not None:
            bound = request.session.get(SESSION_PRACTICE_KEY)
            request.roles = active_roles(user) if bound == practice.pk else frozenset()
            if not request.roles:
                logout(request)
                messages.error(
                    request, f"You are signed out: your account has no active access to {practice.name}."
                )
                return redirect(settings.LOGIN_URL)
        request.viewer = Viewer(user, request.roles)
        timezone.activate(zone_for(user if user.is_authenticated else None, practice))
        try:
            with requesting(request.viewer):
                return self.get_response(request)
        finally:
            timezone.deactivate()
