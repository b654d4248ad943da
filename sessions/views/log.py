"""The coach's log of a session: the page, autosave (signed out too) and the practice's worked-on list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from coachhub.tenancy.forms import add_service_errors, form_status, posted
from coachhub.tenancy.permissions import admin_required
from coachhub.tenancy.viewers import Viewer
from sessions import selectors
from sessions.services.log import keep_signed_out_draft, log_draft_token, save_log, update_worked_on_topics
from sessions.forms import (
    ActionForm,
    SessionLogForm,
    WorkedOnTopicsForm,
)
from sessions.models import Attendance, CoachingSession
from sessions.views.common import coach_session


def log_form_for(session: CoachingSession, viewer: Viewer, data=None, draft: dict | None = None) -> SessionLogForm:
    """The log as saved, or with the texts of a draft kept while signed out (saved on the next save)."""
    saved = {"goals": session.goals, "summary": session.summary, "worked_on": session.worked_on,
             "private_notes": selectors.private_notes_of(session, viewer)}
    return SessionLogForm(data, topics=selectors.worked_on_choices(session), initial={
        **saved, **{field: value for field, value in (draft or {}).items() if field in saved},
        "version": session.version, "draft_token": log_draft_token(session=session, coach=viewer.user),
        "attendance": session.attendance if session.attendance != Attendance.SCHEDULED else Attendance.HELD,
    })


def _save(request: HttpRequest, session: CoachingSession, form: SessionLogForm, *, final: bool):
    data = form.cleaned_data
    # A field the request did not carry is left as saved, never emptied.
    sent = {name: data[name] if name in request.POST else None for name in ("goals", "summary", "private_notes")}
    return save_log(
        session=session, actor=request.user, version=data["version"], **sent,
        worked_on=data["worked_on"] if "worked_on_sent" in request.POST or final else None,
        attendance=(data["attendance"] or None) if final else None, final=final,
    )


# Private notes never reach error reports.


@sensitive_post_parameters("private_notes")
@login_required
@require_http_methods(["GET", "POST"])
def log(request: HttpRequest, session_id: int) -> HttpResponse:
    """The coach's log of one session: one page, saved as they type (see `autosave`)."""
    session = coach_session(request, session_id)
    draft = selectors.signed_out_draft_of(session, request.viewer) if request.method == "GET" else None
    form = log_form_for(session, request.viewer, posted(request), draft=draft)
    # Notes may be prepared before the session; it is logged (attendance and all) once it has begun.
    started = session.booking.starts_at <= timezone.now()
    if request.method == "POST" and form.is_valid():
        try:
            session, conflict = _save(request, session, form, final=started)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if conflict:
                messages.warning(request, "This log was also saved from another tab or window. Both texts are kept: "
                                          "check the marked parts below and save again.")
                return redirect("session_log", session.pk)
            if started:
                messages.success(request, f"Session {session.number} is logged.")
            else:
                messages.success(request, f"Your notes for session {session.number} are saved. Record how it went "
                                          "once it has taken place.")
            return redirect("engagement_sessions", session.engagement_id)
    return render(request, "sessions/log.html", {
        "session": session, "form": form, "action_form": ActionForm(), "actions": session.actions.all(), "draft": draft,
        "started": started,
    }, status=form_status(form))


@sensitive_post_parameters("private_notes")
@require_POST
def autosave(request: HttpRequest, session_id: int) -> HttpResponse:
    """htmx: save the draft as the coach types; answers the "last saved" status (and the new version).

    Signed out meanwhile (the sign-in expired), the page's draft token still keeps the text on the
    server as a draft, which the log page offers back once the coach has signed in again.
    """
    if not request.user.is_authenticated:
        return _keep_signed_out_draft(request, session_id)
    session = coach_session(request, session_id)
    form = log_form_for(session, request.viewer, request.POST)
    context = {"session": session}
    if not form.is_valid():
        context["problems"] = [error for errors in form.errors.values() for error in errors]
    else:
        try:
            session, conflict = _save(request, session, form, final=False)
        except ValidationError as error:
            context["problems"] = error.messages
        else:
            context.update(session=session, conflict=conflict)
    response = render(request, "sessions/_saved.html", context, status=422 if context.get("problems") else 200)
    if context.get("conflict"):
        # The merged texts are on the server: reload so the page shows both.
        response["HX-Refresh"] = "true"
        messages.warning(request, "This log was also saved from another tab or window. Both texts are kept below, "
                                  "the other tab's marked: tidy them up.")
    return response


def _keep_signed_out_draft(request: HttpRequest, session_id: int) -> HttpResponse:
    # Which entries this session may keep (retired ones it ticked too) is the service's to decide.
    topics = selectors.worked_on_topics()
    form = SessionLogForm(request.POST, topics=topics + [t for t in request.POST.getlist("worked_on") if t not in topics])
    context = {"signed_out": True}
    if not form.is_valid():
        context["problems"] = [error for errors in form.errors.values() for error in errors]
        return render(request, "sessions/_saved.html", context, status=422)
    texts = {name: form.cleaned_data[name] if name in request.POST else None for name in ("goals", "summary", "private_notes")}
    try:
        keep_signed_out_draft(
            token=request.POST.get("draft_token", ""), session_id=session_id, **texts,
            worked_on=form.cleaned_data["worked_on"] if "worked_on_sent" in request.POST else None,
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        context["problems"] = error.messages
    return render(request, "sessions/_saved.html", context, status=422 if context.get("problems") else 200)


@admin_required
@require_http_methods(["GET", "POST"])
def worked_on_topics(request: HttpRequest) -> HttpResponse:
    """The practice admin edits the "what was worked on" list the log page offers."""
    form = WorkedOnTopicsForm(posted(request), initial={"topics": "\n".join(selectors.worked_on_topics())})
    if request.method == "POST" and form.is_valid():
        try:
            update_worked_on_topics(actor=request.user, names=form.cleaned_data["topics"].splitlines())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The list is saved.")
            return redirect("worked_on_topics")
    return render(request, "sessions/worked_on_topics.html", {"form": form}, status=form_status(form))
