"""The home page: a section per role the signed-in person holds, drawn from every app below."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coachhub.tenancy.models import Role
from engagements import selectors as journey
from engagements.access import open_enquiry
from measurement.summaries import selectors as summaries
from sessions import selectors as coaching_sessions


def home(request: HttpRequest) -> HttpResponse:
    """Signed in: a section per role held. Otherwise the practice's front door."""
    if not request.user.is_authenticated:
        return render(request, "home/welcome.html")
    context = {}
    if Role.COACH in request.roles:
        context["upcoming_calls"], context["calls_awaiting_outcome"] = journey.coach_calls(request.viewer)
        context.update(coaching_sessions.coach_home(request.viewer))
        context["coaching_engagements"] = summaries.coaching_list(request.viewer)
    if Role.COACHEE in request.roles:
        context["my_calls"] = journey.calls_of_coachee(request.viewer)
        context["open_enquiry"] = open_enquiry(request.viewer)
        context["has_coach"] = journey.has_coach(request.viewer)
        context["my_engagements"] = summaries.coachee_list(request.viewer)
    return render(request, "home/home.html", context)
