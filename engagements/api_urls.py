"""The public JSON API for booking (/api/v1/). Described by openapi.json (engagements.api)."""

from django.urls import path, re_path

from engagements import api

urlpatterns = [
    path("coaches", api.coaches, name="api_coaches"),
    path("coaches/<int:coach_id>/slots", api.slots, name="api_coach_slots"),
    path("chemistry-calls", api.chemistry_calls, name="api_chemistry_calls"),
    path("openapi.json", api.openapi, name="api_openapi"),
    # Last: any other path here is a JSON 404 (with CORS), not the site's HTML page.
    re_path(r"^(?P<path>.*)$", api.not_found, name="api_not_found"),
]
