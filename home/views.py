"""The home page: a section per role the signed-in person holds, drawn from every app below."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coachhub.tenancy.models import Role
from coachhub.tenancy.pagecache import cached_page
from engagements import selectors as journey
from measurement.summaries import selectors as summaries
from sessions import selectors as coaching_sessions


@cached_page
def home(request: HttpRequest) -> HttpResponse:
    """Signed in: a section per role held. Otherwise the practice's front door."""
    if not request.user.is_authenticated:
        return render(request, "tenancy/welcome.html")
    context = {}
    if Role.COACH in request.roles:
        context["upcoming_calls"], context["calls_awaiting_outcome"] = journey.coach_calls(request.user)
        context.update(coaching_sessions.coach_home(request.user))
        context["coaching_engagements"] = summaries.coaching_list(request.user)
    if Role.COACHEE in request.roles:
        context["my_calls"] = journey.calls_of_coachee(request.user)
        context["open_enquiry"] = journey.open_enquiry(request.user)
        context["has_coach"] = journey.has_coach(request.user)
        context["my_engagements"] = summaries.coachee_list(request.user)
    return render(request, "tenancy/home.html", context)
