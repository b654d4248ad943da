"""A coach's own calendars: /roster/me/calendars/. Thin: role → form → service or selector → page.

Every connection is found through selectors.access_calendar_connection (the coach's own, or 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from coachhub.roster import selectors as roster_selectors
from coachhub.roster import services as roster_services
from coachhub.roster.calendars import selectors, services
from coachhub.roster.calendars.forms import CalDAVConnectForm, ICalConnectForm, chosen_calendars
from coachhub.tenancy.forms import add_service_errors, form_status
from coachhub.tenancy.models import Role
from coachhub.tenancy.permissions import role_required

coach_required = role_required(Role.COACH)


def _page(request: HttpRequest, *, caldav_form=None, ical_form=None) -> HttpResponse:
    profile = roster_selectors.profile_to_show(request.user)
    connections = list(selectors.connections_of(profile))
    for connection in connections:
        connection.stale = selectors.is_stale(connection)
        connection.receives_any = any(c.receives_bookings for c in connection.calendars.all())
    return render(request, "roster/calendars.html", {
        "profile": profile, "connections": connections,
        "caldav_form": caldav_form or CalDAVConnectForm(), "ical_form": ical_form or ICalConnectForm(),
    }, status=form_status(caldav_form, ical_form))


@coach_required
@require_safe
def calendars(request: HttpRequest) -> HttpResponse:
    return _page(request)


@coach_required
@require_POST
def connect_caldav(request: HttpRequest) -> HttpResponse:
    form = CalDAVConnectForm(request.POST)
    if form.is_valid():
        profile = roster_services.profile_for_coach(user=request.user)
        try:
            connection = services.connect_caldav(
                profile=profile, actor=request.user, url=form.cleaned_data["url"],
                username=form.cleaned_data["username"], password=form.cleaned_data["password"],
                calendar_name=form.cleaned_data["calendar"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Connected {connection.host}: your calendars are being read now.")
            return redirect("roster_calendars")
    return _page(request, caldav_form=form)


@coach_required
@require_POST
def connect_ical(request: HttpRequest) -> HttpResponse:
    form = ICalConnectForm(request.POST)
    if form.is_valid():
        profile = roster_services.profile_for_coach(user=request.user)
        try:
            connection = services.connect_ical(profile=profile, actor=request.user, url=form.cleaned_data["ical_url"])
        except ValidationError as error:
            error = ValidationError({"ical_url": error.error_dict["url"]}) if hasattr(error, "error_dict") and "url" in error.error_dict else error
            add_service_errors(form, error)
        else:
            messages.success(request, f"Subscribed to the calendar at {connection.host}: its busy times are being read now.")
            return redirect("roster_calendars")
    return _page(request, ical_form=form)


def _own(request: HttpRequest, connection_id: int):
    connection = selectors.access_calendar_connection(request.user, connection_id)
    if connection is None:
        raise Http404
    return connection


@coach_required
@require_POST
def connection_action(request: HttpRequest, connection_id: int, action: str) -> HttpResponse:
    connection = _own(request, connection_id)
    try:
        if action == "choose":
            busy, write_back = chosen_calendars(request.POST, connection)
            services.choose_calendars(connection=connection, actor=request.user, busy_ids=busy, write_back_id=write_back)
            messages.success(request, "Your choice of calendars is saved.")
        elif action == "test":
            messages.success(request, services.test_connection(connection=connection))
        elif action == "sync":
            services.request_sync(connection=connection)
            messages.success(request, "Syncing now: busy times update within a minute.")
        elif action in {"pause", "resume"}:
            services.pause_connection(connection=connection, actor=request.user, paused=action == "pause")
            messages.success(request, "Paused: its busy times no longer count." if action == "pause" else "Resumed.")
        elif action == "remove":
            services.remove_connection(connection=connection, actor=request.user)
            messages.success(request, f"Removed the connection to {connection.host}, and every busy time read from it.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("roster_calendars")
