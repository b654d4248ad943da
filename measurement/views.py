"""Measurement pages: an engagement's progress (objectives, points, charts, the rule), a point's
page (who has rated, the viewer's rating form, the coach's close, move and comment), completion
and the progress report PDF. Thin: access through measurement.access (404 alike for missing
and not yours), input through measurement.forms, writes through measurement.services (by sub-domain)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from coachhub.tenancy.documents import stored_pdf_or_preparing
from coachhub.tenancy.forms import add_service_errors
from engagements.access import COACH, party_role
from engagements.models import Engagement
from measurement import selectors
from measurement.services.closing import close_point, comment_on_point, complete_engagement
from measurement.services.rating import rate_point
from measurement.services.scheduling import move_point
from measurement.access import access_point, access_progress
from measurement.forms import MovePointForm, PointCommentForm, RatingForm
from measurement.models import MeasurementPoint
from measurement.tasks import render_progress_pdf


@login_required
def progress(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = access_progress(request.viewer, engagement_id)
    return render(request, "measurement/progress.html", {
        "engagement": engagement, "progress": selectors.progress_for(engagement, request.viewer),
    })


def _point_page(request: HttpRequest, engagement: Engagement, point: MeasurementPoint, *, rating_form=None,
                move_form=None, comment_form=None, status: int = 200) -> HttpResponse:
    progress = selectors.progress_for(engagement, request.viewer)
    view = next(v for v in progress.points if v.point.pk == point.pk)
    view.load_corrections()
    if rating_form is None and view.viewer_rates:
        rating_form = RatingForm(
            objectives=[o for o in view.objectives if view.viewer_role in o.raters], mine=view.mine(),
        )
    grace_end = selectors.grace_ends_at(view.point)
    return render(request, "measurement/point.html", {
        "engagement": engagement, "progress": progress, "view": view, "rating_form": rating_form,
        "move_form": move_form or MovePointForm(initial={
            "after_sessions": view.point.due_after_sessions, "due_on": view.point.due_on,
        }),
        "comment_form": comment_form or PointCommentForm(initial={"comment": view.point.coach_comment}),
        "grace_end": grace_end,
        "may_close": selectors.may_close(view, is_coach=progress.is_coach),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def point(request: HttpRequest, engagement_id: int, point_id: int) -> HttpResponse:
    """A point's page; POST is the viewer's ratings (a non-rater gets 404)."""
    engagement, point = access_point(request.viewer, engagement_id, point_id)
    if request.method == "GET":
        return _point_page(request, engagement, point)
    role = party_role(request.viewer, point.version) if point.parties_rate else None
    objectives = [o for o in point.version.objectives.all() if role and role in o.raters]
    if not objectives:
        raise Http404
    form = RatingForm(request.POST, objectives=objectives)
    if form.is_valid():
        try:
            rated = rate_point(point=point, rater=request.user, answers=form.answers())
        except MeasurementPoint.DoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                form.add_error(None, error)
        else:
            if rated.closed:
                messages.success(request, "Thank you: your ratings are saved. Everyone has now rated, so the point is closed.")
            elif rated.changed:
                messages.success(request, "Thank you: your ratings are saved. You can correct them until the point closes.")
            else:
                messages.info(request, "Your ratings are unchanged.")
            return redirect("measurement_point", engagement.pk, point.pk)
    return _point_page(request, engagement, point, rating_form=form, status=422)


@login_required
@require_POST
def close(request: HttpRequest, engagement_id: int, point_id: int) -> HttpResponse:
    engagement, point = access_point(request.viewer, engagement_id, point_id, acting_as=COACH)
    try:
        closed = close_point(point=point, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"The {closed.get_kind_display().lower()} is closed: {closed.get_status_display().lower()}.")
    return redirect("measurement_point", engagement.pk, point.pk)


@login_required
@require_POST
def move(request: HttpRequest, engagement_id: int, point_id: int) -> HttpResponse:
    engagement, point = access_point(request.viewer, engagement_id, point_id, acting_as=COACH)
    form = MovePointForm(request.POST)
    if form.is_valid():
        try:
            move_point(point=point, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                # Closed, or rated already: the page no longer offers the form, so say it at the top.
                for message in error.messages:
                    messages.error(request, message)
                return redirect("measurement_point", engagement.pk, point.pk)
            add_service_errors(form, error)
        else:
            messages.success(request, f"The {point.get_kind_display().lower()} is moved; the reason is kept with it.")
            return redirect("measurement_point", engagement.pk, point.pk)
    return _point_page(request, engagement, point, move_form=form, status=422)


@login_required
@require_POST
def comment(request: HttpRequest, engagement_id: int, point_id: int) -> HttpResponse:
    engagement, point = access_point(request.viewer, engagement_id, point_id, acting_as=COACH)
    form = PointCommentForm(request.POST)
    if form.is_valid():
        try:
            comment_on_point(point=point, actor=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your comment is saved.")
            return redirect("measurement_point", engagement.pk, point.pk)
    return _point_page(request, engagement, point, comment_form=form, status=422)


@login_required
@require_POST
def complete(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = access_progress(request.viewer, engagement_id, acting_as=COACH)
    try:
        complete_engagement(engagement=engagement, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "The engagement is completed. The final report is being prepared.")
    return redirect("measurement_progress", engagement.pk)


@login_required
def progress_pdf(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The stored progress report as it stands. When it is not there yet, a worker renders it:
    the page says so and refreshes, with 202, rather than render in this web worker."""
    engagement = access_progress(request.viewer, engagement_id)
    final = "final-report" if engagement.stage == Engagement.Stage.COMPLETED else "progress-report"
    return stored_pdf_or_preparing(
        request, path=selectors.progress_storage_path(engagement), filename=f"{final}-{engagement.pk}.pdf",
        render_later=lambda: render_progress_pdf.delay_on_commit(engagement_id=engagement.pk),
        preparing="measurement/preparing.html", context={"engagement": engagement},
    )
