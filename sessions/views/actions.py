"""Action items from a session: added, ticked, removed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coachhub.tenancy.forms import add_service_errors
from engagements.access import COACH, relations_to
from sessions.services import actions
from sessions.access import access_action
from sessions.forms import ActionForm
from sessions.views.common import coach_session
from sessions.views.log import log_form_for


@login_required
@require_POST
def add_action(request: HttpRequest, session_id: int) -> HttpResponse:
    session = coach_session(request, session_id)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            actions.add_action(session=session, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        log_form = log_form_for(session, request.viewer)
        return render(request, "sessions/log.html", {
            "session": session, "form": log_form, "action_form": form, "actions": session.actions.all(),
            "started": session.booking.starts_at <= timezone.now(),
        }, status=422)
    messages.success(request, "Action added.")
    return redirect("session_log", session.pk)


@login_required
@require_POST
def tick_action(request: HttpRequest, action_id: int) -> HttpResponse:
    action = access_action(request.viewer, action_id)
    actions.set_action_done(action=action, actor=request.user, done=request.POST.get("done") == "1")
    if request.POST.get("next") == "log" and COACH in relations_to(request.viewer, action.engagement):
        return redirect("session_log", action.session_id)
    return redirect("engagement_sessions", action.engagement_id)


@login_required
@require_POST
def remove_action(request: HttpRequest, action_id: int) -> HttpResponse:
    action = access_action(request.viewer, action_id, acting_as=COACH)
    try:
        actions.remove_action(action=action, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Action removed: “{action.text}”.")
    return redirect("session_log", action.session_id)
