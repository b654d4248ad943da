"""Refuse input no page can use, before any view, form or query sees it.

PostgreSQL cannot store or even compare a text containing a NUL byte (psycopg2 raises before the
query is sent), so one NUL in a query parameter, a form field, the path or a cookie would
otherwise surface as a 500 wherever the value reaches a query. Query parameters are short by
nature (filters, dates, page numbers, a `next` address); one longer than MAX_QUERY_VALUE_LENGTH
is refused here rather than parsed, hashed or compared by each view. Form fields keep their own
limits (each form's max_length gives a message next to the field); the body as a whole is capped
by DATA_UPLOAD_MAX_MEMORY_SIZE.

The answer is a 400 saying what was wrong: JSON in the booking API's error format (with CORS)
under /api/, a plain page elsewhere.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

MAX_QUERY_VALUE_LENGTH = 2000
API_PREFIX = "/api/"
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _nul_in(items) -> str | None:
    """The name of the first (name, values) pair with a NUL byte in its name or a value."""
    for name, values in items:
        if "\x00" in name or any(isinstance(value, str) and "\x00" in value for value in values):
            return name.replace("\x00", "") or "__all__"
    return None


def bad_input(request: HttpRequest) -> tuple[str, str] | None:
    """(field, message) for the first thing in the request no view can use, or None."""
    if "\x00" in request.path:
        return "__all__", "The address contains a NUL character, which is never valid."
    found = _nul_in(request.GET.lists())
    if found:
        return found, f"The query parameter {found!r} contains a NUL character, which is never valid."
    for name, values in request.GET.lists():
        if len(name) > MAX_QUERY_VALUE_LENGTH or any(len(value) > MAX_QUERY_VALUE_LENGTH for value in values):
            name = name[:40]
            return name, f"The query parameter {name!r} is too long: use at most {MAX_QUERY_VALUE_LENGTH} characters."
    if _nul_in((name, [value]) for name, value in request.COOKIES.items()):
        return "__all__", "A cookie contains a NUL character. Clear this site's cookies and try again."
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        try:
            found = _nul_in(request.POST.lists())
        except (RequestDataTooBig, MultiPartParserError):
            return None  # Django answers these itself, as the view reads the body
        if found:
            return found, f"The field {found!r} contains a NUL character, which is never valid. Remove it and send again."
    return None


class BadInputMiddleware:
    """Answers 400 for a NUL byte anywhere in the request or an over-long query parameter."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = bad_input(request)
        if problem is None:
            return self.get_response(request)
        field, message = problem
        if request.path.startswith(API_PREFIX):
            response = JsonResponse({"errors": {field: [message]}}, status=400, json_dumps_params={"ensure_ascii": False})
            response["Access-Control-Allow-Origin"] = "*"
            return response
        return HttpResponse(render_to_string("400.html", {"message": message}), status=400)
