"""An engagement's sessions page (per role), reflections and the shared summary."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coachhub.tenancy.forms import add_service_errors
from engagements.access import COACHEE, Data, access_engagement
from sessions import selectors
from sessions.services import actions
from sessions.access import access_session
from sessions.forms import ReflectionForm
from sessions.panels import engagement_panels


PAST_SESSIONS_SHOWN = 10
DONE_ACTIONS_SHOWN = 20


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
