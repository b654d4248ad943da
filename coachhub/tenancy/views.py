"""Practice pages: the admin's settings, people and organisations (the home page is home/views.py)."""

from __future__ import annotations

import json
from datetime import UTC
from copy import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_control
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from coachhub.tenancy import audit, selectors, services
from coachhub.tenancy.forms import (
    AuditFilters,
    ClientOrganisationForm,
    InvitePersonForm,
    PracticeSettingsForm,
    RolesForm,
    add_service_errors,
    form_status,
    posted,
    posted_files,
)
from coachhub.tenancy.models import ClientOrganisation, Invitation, Membership
from coachhub.tenancy.permissions import admin_required
from coachhub.tenancy.spreadsheets import csv_response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale or cross-site form: say what to do, in the practice's branding."""
    return render(request, "403_csrf.html", status=403)


@cache_control(public=True, max_age=300)
def logo(request: HttpRequest) -> FileResponse:
    if not request.practice.logo:
        raise Http404
    return FileResponse(request.practice.logo.open("rb"))


@admin_required
@require_http_methods(["GET", "POST"])
def practice_settings(request: HttpRequest) -> HttpResponse:
    # A copy: validation writes the submitted values onto the instance, and request.practice
    # must keep its saved branding while the form re-renders with errors.
    form = PracticeSettingsForm(posted(request), posted_files(request), instance=copy(request.practice))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_practice(practice=request.practice, actor=request.user, changes=form.changes())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Practice settings saved.")
            return redirect("practice_settings")
    return render(request, "tenancy/settings.html", {"form": form}, status=form_status(form))


@admin_required
def people(request: HttpRequest) -> HttpResponse:
    pending = Invitation.objects.filter(accepted_at__isnull=True).select_related("invited_by")
    return render(
        request, "tenancy/people.html",
        {"people": selectors.people(), "pending_invitations": [i for i in pending if not i.is_expired]},
    )


@admin_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    form = InvitePersonForm(posted(request), initial={"role": request.GET.get("role", "")})
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_person(
                **form.cleaned_data, invited_by=request.user, base_url=request.build_absolute_uri("/")
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("people")
    return render(request, "tenancy/invite.html", {"form": form}, status=form_status(form))


@admin_required
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    memberships = list(selectors.memberships_of(user_id))
    if not memberships:
        raise Http404  # not a person of this practice
    subject = memberships[0].user
    active = [m for m in memberships if m.is_active]
    organisation = next((m.client_organisation for m in memberships if m.client_organisation), None)
    form = RolesForm(
        posted(request),
        initial={"roles": [m.role for m in active], "client_organisation": organisation},
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.set_roles(
                user=subject, roles=set(form.cleaned_data["roles"]), actor=request.user,
                client_organisation=form.cleaned_data["client_organisation"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if changes:
                messages.success(request, f"Saved for {subject}: {'; '.join(changes)}.")
            else:
                messages.info(request, f"Nothing changed for {subject}: these were already their roles.")
            return redirect("person", user_id=subject.pk)
    return render(
        request, "tenancy/person.html", {"subject": subject, "memberships": memberships, "form": form},
        status=form_status(form),
    )


@admin_required
@require_http_methods(["GET", "POST"])
def organisations(request: HttpRequest) -> HttpResponse:
    form = ClientOrganisationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.save_client_organisation(organisation=form.instance, actor=request.user)
        messages.success(request, f"{form.instance.name} added.")
        return redirect("organisations")
    return render(
        request, "tenancy/organisations.html",
        {"organisations": selectors.client_organisations(), "form": form}, status=form_status(form),
    )


@admin_required
@require_http_methods(["GET", "POST"])
def organisation(request: HttpRequest, organisation_id: int) -> HttpResponse:
    instance = get_object_or_404(ClientOrganisation.objects.all(), pk=organisation_id)
    form = ClientOrganisationForm(posted(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        services.save_client_organisation(organisation=form.instance, actor=request.user)
        messages.success(request, "Organisation saved.")
        return redirect("organisations")
    members = Membership.objects.filter(client_organisation=instance).select_related("user")
    return render(
        request, "tenancy/organisation.html", {"organisation": instance, "form": form, "members": members},
        status=form_status(form),
    )


AUDIT_PAGE_SIZE = 50
AUDIT_CSV_HEADER = ["When (UTC)", "Who", "Who (email)", "What", "Action", "On what", "From address", "Details"]


def _audit_filtered(request: HttpRequest):
    form = AuditFilters(request.GET or None)
    if form.is_bound:
        form.is_valid()
    return form, selectors.audit_entries(**form.values())


@admin_required
@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    form, entries = _audit_filtered(request)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tenancy/audit.html", {
        "form": form, "page": page, "entries": audit.name_people(page), "querystring": form.querystring(),
    })


@admin_required
@require_GET
def audit_trail_csv(request: HttpRequest) -> HttpResponse:
    _, entries = _audit_filtered(request)
    rows = [AUDIT_CSV_HEADER] + [
        [
            entry.created_at.astimezone(UTC).isoformat(),
            entry.actor.get_full_name() if entry.actor else "",
            entry.actor.email if entry.actor else "",
            entry.described, entry.action, entry.shown_subject, entry.ip_address or "",
            json.dumps(entry.details, sort_keys=True) if entry.details else "",
        ]
        for entry in audit.name_people(entries.iterator(chunk_size=2000))
    ]
    return csv_response(rows, filename=f"audit-trail-{request.practice.slug}-{timezone.localdate().isoformat()}.csv")
