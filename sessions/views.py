"""Session pages: an engagement's sessions (per role), booking, the coach's log with autosave.

Every page loads through the access functions (engagements/access.py, sessions/access.py), which
answer 404 alike for missing and not yours; the selectors hand the template only what the viewer
may see.
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
from coachhub.tenancy.forms import add_service_errors, form_status, posted
from coachhub.tenancy.permissions import admin_required
from coachhub.tenancy.viewers import Viewer
from engagements.access import COACH, COACHEE, Data, access_engagement, relations_to
from engagements.services import BookingRefused
from engagements.views import slot_week
from sessions import selectors
from sessions.services import actions
from sessions.services.booking import book_session, cancel_session, reschedule_session
from sessions.services.log import keep_signed_out_draft, log_draft_token, save_log, update_worked_on_topics
from sessions.access import access_action, access_session, bookers
from sessions.forms import (
    ActionForm,
    BookSessionForm,
    ReflectionForm,
    SessionLogForm,
    WorkedOnTopicsForm,
)
from sessions.models import Attendance, CoachingSession
from sessions.panels import engagement_panels

PAST_SESSIONS_SHOWN = 10
DONE_ACTIONS_SHOWN = 20


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _coach_session(request: HttpRequest, session_id: int) -> CoachingSession:
    """A session only its own coach may log."""
    return access_session(request.viewer, session_id, to_see=Data.PRIVATE_NOTES)


@login_required
def engagement_sessions(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The engagement's sessions: the coachee's own page, the coach's overview; dates only for
    the practice admin and the sponsor (with the summaries the coachee shared)."""
    engagement, viewer = selectors.engagement_for(request.viewer, engagement_id)
    return _engagement_page(request, engagement, viewer)


def _engagement_page(request: HttpRequest, engagement, viewer, reflection_form: ReflectionForm | None = None) -> HttpResponse:
    page = selectors.sessions_page(engagement, viewer)
    # A long engagement shows its latest sessions and done actions first; "show all" lists the rest.
    show_all = request.GET.get("all") == "1"
    return render(request, "sessions/engagement.html", {
        "engagement": engagement, "viewer": viewer, "commitment": page.commitment, "upcoming": page.upcoming,
        "past": page.past if show_all else page.past[:PAST_SESSIONS_SHOWN], "past_count": len(page.past),
        "open_actions": page.open_actions, "done_count": len(page.done_actions), "show_all": show_all,
        "done_actions": page.done_actions if show_all else page.done_actions[:DONE_ACTIONS_SHOWN],
        "today": timezone.localdate(),
        "reflections": selectors.reflections_for(engagement, viewer),
        "reflection_form": reflection_form or ReflectionForm(),
        "panels": engagement_panels(viewer=request.viewer, engagement=engagement, commitment=page.commitment),
    }, status=422 if reflection_form is not None else 200)


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The coach (or the coachee, where the practice allows) books the next session in one of the
    coach's free times."""
    engagement = access_engagement(request.viewer, engagement_id, to_see=Data.SESSION_DATES, acting_as=bookers())
    viewer = selectors.Participation(request.viewer, engagement)
    profile = CoachProfile.objects.filter(user_id=engagement.coach_id).first()
    commitment = selectors.commitment(engagement)
    if profile is None or commitment.contract is None:
        messages.error(request, "Sessions are booked in the coach's free times against the contract in force: "
                                "the coach's weekly hours and an accepted contract come first.")
        return redirect("engagement_sessions", engagement.pk)
    form = BookSessionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            book_session(
                engagement=engagement, actor=request.user, starts_at=form.cleaned_data["start"], base_url=_base_url(request),
                beyond_commitment=form.cleaned_data["beyond_commitment"],
            )
        except BookingRefused as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The session is booked. You both have a calendar invitation.")
            return redirect("engagement_sessions", engagement.pk)
    week = slot_week(profile, request, minutes=commitment.contract.session_minutes)
    return render(request, "sessions/book.html", {
        "engagement": engagement, "viewer": viewer, "form": form, "commitment": commitment, "profile": profile,
        "minutes": commitment.contract.session_minutes, "warn": commitment.left <= 0,
        "past_end": week["week_last"] > commitment.end_date, **week,
    }, status=form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, session_id: int) -> HttpResponse:
    """The coach (or the coachee, where the practice allows) moves a scheduled session to another
    free time of the coach, with the contract's notice."""
    session = access_session(request.viewer, session_id, to_see=Data.SESSION_DATES, acting_as=bookers())
    engagement = session.engagement
    viewer = selectors.Participation(request.viewer, engagement)
    profile = CoachProfile.objects.filter(user_id=engagement.coach_id).first()
    commitment = selectors.commitment(engagement)
    if profile is None or commitment.contract is None or session.attendance != Attendance.SCHEDULED:
        messages.error(request, "This session can no longer be moved.")
        return redirect("engagement_sessions", engagement.pk)
    form = BookSessionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            reschedule_session(
                session=session, actor=request.user, starts_at=form.cleaned_data["start"], base_url=_base_url(request),
                beyond_commitment=viewer.is_coach and form.cleaned_data["beyond_commitment"],
            )
        except BookingRefused as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Session {session.number} is moved. You both have an updated invitation.")
            return redirect("engagement_sessions", engagement.pk)
    week = slot_week(profile, request, minutes=commitment.contract.session_minutes)
    return render(request, "sessions/book.html", {
        "engagement": engagement, "viewer": viewer, "form": form, "commitment": commitment, "minutes": commitment.contract.session_minutes,
        "moving": session, "profile": profile, "past_end": week["week_last"] > commitment.end_date, **week,
    }, status=form_status(form))


@login_required
@require_POST
def cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    engagement_session = access_session(request.viewer, session_id, to_see=Data.SESSION_DATES, acting_as=frozenset({COACH, COACHEE}))
    try:
        session = cancel_session(session=engagement_session, actor=request.user, base_url=_base_url(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Session {session.number} is cancelled: {session.get_attendance_display().lower()}"
                                  f"{' (counts as used)' if session.counts_as_used else ' (not counted)'}.")
    return redirect("engagement_sessions", engagement_session.engagement_id)


def _log_form(session: CoachingSession, viewer: Viewer, data=None, draft: dict | None = None) -> SessionLogForm:
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
    session = _coach_session(request, session_id)
    draft = selectors.signed_out_draft_of(session, request.viewer) if request.method == "GET" else None
    form = _log_form(session, request.viewer, posted(request), draft=draft)
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
    session = _coach_session(request, session_id)
    form = _log_form(session, request.viewer, request.POST)
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


@login_required
@require_POST
def add_action(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _coach_session(request, session_id)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            actions.add_action(session=session, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        log_form = _log_form(session, request.viewer)
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


@login_required
@require_POST
def add_reflection(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = access_engagement(request.viewer, engagement_id, to_see=Data.REFLECTIONS)
    viewer = selectors.Participation(request.viewer, engagement)
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            actions.add_reflection(engagement=engagement, actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        # The page again, with the text still in the box and the message next to it.
        return _engagement_page(request, engagement, viewer, reflection_form=form)
    messages.success(request, "Reflection saved. Only you can see it.")
    return redirect("engagement_sessions", engagement.pk)


@login_required
@require_POST
def share_summary(request: HttpRequest, session_id: int) -> HttpResponse:
    session = access_session(request.viewer, session_id, to_see=Data.SUMMARIES_AND_ACTIONS, acting_as=COACHEE)
    shared = request.POST.get("shared") == "1"
    try:
        actions.share_summary_with_sponsor(session=session, actor=request.user, shared=shared)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Session {session.number}'s summary is {'now shared with' if shared else 'no longer shared with'} your sponsor.")
    return redirect("engagement_sessions", session.engagement_id)


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
