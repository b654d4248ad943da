"""Booking, moving and cancelling a coaching session."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from coachhub.roster.models import CoachProfile
from coachhub.tenancy.forms import add_service_errors, form_status, posted
from engagements.access import COACH, COACHEE, Data, access_engagement
from engagements.services import BookingRefused
from engagements.views import slot_week
from sessions import selectors
from sessions.services.booking import book_session, cancel_session, reschedule_session
from sessions.access import access_session, bookers
from sessions.forms import BookSessionForm
from sessions.models import Attendance


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


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
                engagement=engagement, actor=request.user, starts_at=form.cleaned_data["start"], base_url=_site_url(request),
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
                session=session, actor=request.user, starts_at=form.cleaned_data["start"], base_url=_site_url(request),
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
        session = cancel_session(session=engagement_session, actor=request.user, base_url=_site_url(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Session {session.number} is cancelled: {session.get_attendance_display().lower()}"
                                  f"{' (counts as used)' if session.counts_as_used else ' (not counted)'}.")
    return redirect("engagement_sessions", engagement_session.engagement_id)
