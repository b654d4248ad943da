"""Session pages: an engagement's sessions (per role), booking, the coach's log with autosave.

Every page fetches through `sessions.selectors`, which answers DoesNotExist (404 here) alike for
missing and not yours, and hands the template only what the viewer may see.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from coachhub.roster.models import CoachProfile
from coachhub.tenancy.forms import add_service_errors, posted
from coachhub.tenancy.permissions import admin_required
from engagements.services import BookingRefused
from engagements.views import slot_week
from sessions import selectors, services
from sessions.forms import (
    ActionForm,
    BookSessionForm,
    ReflectionForm,
    SessionLogForm,
    WorkedOnTopicsForm,
)
from sessions.models import ActionItem, Attendance, CoachingSession


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _engagement_or_404(request: HttpRequest, engagement_id: int):
    try:
        return selectors.engagement_for(request.user, request.roles, engagement_id)
    except ObjectDoesNotExist:
        raise Http404 from None


def _coach_session_or_404(request: HttpRequest, session_id: int) -> CoachingSession:
    try:
        return selectors.session_for_coach(request.user, session_id)
    except ObjectDoesNotExist:
        raise Http404 from None


@login_required
def engagement_sessions(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The engagement's sessions: the coachee's own page, the coach's overview; dates only for
    the practice admin and the sponsor (with the summaries the coachee shared)."""
    engagement, viewer = _engagement_or_404(request, engagement_id)
    records = selectors.records_for(engagement, viewer)
    now = timezone.now()
    actions = [action for record in records for action in record.actions]
    return render(request, "sessions/engagement.html", {
        "engagement": engagement, "viewer": viewer, "commitment": selectors.commitment(engagement),
        "upcoming": [r for r in records if r.session.attendance == Attendance.SCHEDULED and r.session.booking.starts_at >= now],
        "past": [r for r in records if not (r.session.attendance == Attendance.SCHEDULED and r.session.booking.starts_at >= now)],
        "open_actions": [a for a in actions if a.status == ActionItem.Status.OPEN],
        "done_actions": [a for a in actions if a.status == ActionItem.Status.DONE],
        "reflections": selectors.reflections_for(engagement, viewer),
        "reflection_form": ReflectionForm(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The coach books the next session in one of their free times (coachees do not book yet)."""
    engagement, viewer = _engagement_or_404(request, engagement_id)
    if not viewer.is_coach:
        raise Http404
    profile = CoachProfile.objects.filter(user=request.user).first()
    commitment = selectors.commitment(engagement)
    if profile is None or commitment.contract is None:
        messages.error(request, "Sessions are booked in your free times against the contract in force: "
                                "set up your weekly hours and have the contract accepted first.")
        return redirect("engagement_sessions", engagement.pk)
    form = BookSessionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.book_session(
                engagement=engagement, actor=request.user, starts_at=form.cleaned_data["start"], base_url=_base_url(request),
                beyond_commitment=form.cleaned_data["beyond_commitment"],
            )
        except BookingRefused as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The session is booked. You and the coachee have a calendar invitation.")
            return redirect("engagement_sessions", engagement.pk)
    return render(request, "sessions/book.html", {
        "engagement": engagement, "form": form, "commitment": commitment, "minutes": commitment.contract.session_minutes,
        "warn": commitment.left <= 0, **slot_week(profile, request, minutes=commitment.contract.session_minutes),
    })


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, session_id: int) -> HttpResponse:
    """The coach moves a scheduled session to another free time, with the contract's notice."""
    session = _coach_session_or_404(request, session_id)
    engagement = session.engagement
    profile = CoachProfile.objects.filter(user=request.user).first()
    commitment = selectors.commitment(engagement)
    if profile is None or commitment.contract is None or session.attendance != Attendance.SCHEDULED:
        messages.error(request, "This session can no longer be moved.")
        return redirect("engagement_sessions", engagement.pk)
    form = BookSessionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.reschedule_session(
                session=session, actor=request.user, starts_at=form.cleaned_data["start"], base_url=_base_url(request)
            )
        except BookingRefused as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Session {session.number} is moved. You and the coachee have an updated invitation.")
            return redirect("engagement_sessions", engagement.pk)
    return render(request, "sessions/book.html", {
        "engagement": engagement, "form": form, "commitment": commitment, "minutes": commitment.contract.session_minutes,
        "moving": session, **slot_week(profile, request, minutes=commitment.contract.session_minutes),
    })


@login_required
@require_POST
def cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    engagement_session = _participant_session_or_404(request, session_id)
    try:
        session = services.cancel_session(session=engagement_session, actor=request.user, base_url=_base_url(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Session {session.number} is cancelled: {session.get_attendance_display().lower()}"
                                  f"{' (counts as used)' if session.counts_as_used else ' (not counted)'}.")
    return redirect("engagement_sessions", engagement_session.engagement_id)


def _participant_session_or_404(request: HttpRequest, session_id: int) -> CoachingSession:
    session = CoachingSession.objects.select_related("engagement").filter(pk=session_id).first()
    if session is None or request.user.pk not in (session.engagement.coach_id, session.engagement.coachee_id):
        raise Http404
    return session


def _log_form(session: CoachingSession, user, data=None) -> SessionLogForm:
    return SessionLogForm(data, topics=services.ensure_worked_on_topics(), initial={
        "version": session.version, "goals": session.goals, "summary": session.summary, "worked_on": session.worked_on,
        "private_notes": selectors.private_notes_of(session, user),
        "attendance": session.attendance if session.attendance != Attendance.SCHEDULED else Attendance.HELD,
    })


def _save(request: HttpRequest, session: CoachingSession, form: SessionLogForm, *, final: bool):
    data = form.cleaned_data
    # A field the request did not carry is left as saved, never emptied.
    sent = {name: data[name] if name in request.POST else None for name in ("goals", "summary", "private_notes")}
    return services.save_log(
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
    session = _coach_session_or_404(request, session_id)
    form = _log_form(session, request.user, posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            session, conflict = _save(request, session, form, final=True)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if conflict:
                messages.warning(request, "This log was also saved from another tab or window. Both texts are kept: "
                                          "check the marked parts below and save again.")
                return redirect("session_log", session.pk)
            messages.success(request, f"Session {session.number} is logged.")
            return redirect("engagement_sessions", session.engagement_id)
    return render(request, "sessions/log.html", {
        "session": session, "form": form, "action_form": ActionForm(), "actions": session.actions.all(),
    }, status=422 if form.errors else 200)


@sensitive_post_parameters("private_notes")
@login_required
@require_POST
def autosave(request: HttpRequest, session_id: int) -> HttpResponse:
    """htmx: save the draft as the coach types; answers the "last saved" status (and the new version)."""
    session = _coach_session_or_404(request, session_id)
    form = _log_form(session, request.user, request.POST)
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
    response = render(request, "sessions/_saved.html", context)
    if context.get("conflict"):
        # The merged texts are on the server: reload so the page shows both.
        response["HX-Refresh"] = "true"
        messages.warning(request, "This log was also saved from another tab or window. Both texts are kept below, "
                                  "the other tab's marked: tidy them up.")
    return response


@login_required
@require_POST
def add_action(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _coach_session_or_404(request, session_id)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            services.add_action(session=session, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        log_form = _log_form(session, request.user)
        return render(request, "sessions/log.html", {
            "session": session, "form": log_form, "action_form": form, "actions": session.actions.all(),
        }, status=422)
    messages.success(request, "Action added.")
    return redirect("session_log", session.pk)


@login_required
@require_POST
def tick_action(request: HttpRequest, action_id: int) -> HttpResponse:
    action = ActionItem.objects.select_related("engagement").filter(pk=action_id).first()
    if action is None or request.user.pk not in (action.engagement.coach_id, action.engagement.coachee_id):
        raise Http404
    services.set_action_done(action=action, actor=request.user, done=request.POST.get("done") == "1")
    if request.POST.get("next") == "log" and action.engagement.coach_id == request.user.pk:
        return redirect("session_log", action.session_id)
    return redirect("engagement_sessions", action.engagement_id)


@login_required
@require_POST
def add_reflection(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement, viewer = _engagement_or_404(request, engagement_id)
    if not viewer.is_coachee:
        raise Http404
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            services.add_reflection(engagement=engagement, actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("engagement_sessions", engagement.pk)
    messages.success(request, "Reflection saved. Only you can see it.")
    return redirect("engagement_sessions", engagement.pk)


@login_required
@require_POST
def share_summary(request: HttpRequest, session_id: int) -> HttpResponse:
    session = CoachingSession.objects.select_related("engagement").filter(pk=session_id).first()
    if session is None or session.engagement.coachee_id != request.user.pk:
        raise Http404
    shared = request.POST.get("shared") == "1"
    services.share_summary_with_sponsor(session=session, actor=request.user, shared=shared)
    messages.success(request, f"Session {session.number}'s summary is {'now shared with' if shared else 'no longer shared with'} your sponsor.")
    return redirect("engagement_sessions", session.engagement_id)


@admin_required
@require_http_methods(["GET", "POST"])
def worked_on_topics(request: HttpRequest) -> HttpResponse:
    """The practice admin edits the "what was worked on" list the log page offers."""
    form = WorkedOnTopicsForm(posted(request), initial={"topics": "\n".join(services.ensure_worked_on_topics())})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_worked_on_topics(actor=request.user, names=form.cleaned_data["topics"].splitlines())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The list is saved.")
            return redirect("worked_on_topics")
    return render(request, "sessions/worked_on_topics.html", {"form": form}, status=422 if form.errors else 200)
