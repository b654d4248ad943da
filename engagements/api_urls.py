"""The public JSON API for booking (/api/v1/). Described by openapi.json (engagements.api.openapi)."""

from django.urls import path, re_path

from engagements.api import chemistry_calls, coaches, http, openapi

urlpatterns = [
    path("coaches", coaches.coaches, name="api_coaches"),
    path("coaches/<int:coach_id>/slots", coaches.slots, name="api_coach_slots"),
    path("chemistry-calls", chemistry_calls.chemistry_calls, name="api_chemistry_calls"),
    path("openapi.json", openapi.openapi, name="api_openapi"),
    # Last: any other path here is a JSON 404 (with CORS), not the site's HTML page.
    re_path(r"^(?P<path>.*)$", http.not_found, name="api_not_found"),
]
