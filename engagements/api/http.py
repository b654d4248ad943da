"""What every endpoint of the booking API shares: CORS and method handling, JSON responses in
the API's error format, and reading query parameters and JSON bodies within stated limits."""

from __future__ import annotations

import functools
import json

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

ALL = "__all__"


def json_response(data, status: int = 200, headers: dict | None = None) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, headers=headers, json_dumps_params={"ensure_ascii": False})


def error_response(
    status: int, errors: dict[str, list[str]], code: str | None = None, headers: dict | None = None
) -> JsonResponse:
    body: dict = {"errors": errors}
    if code:
        body["code"] = code
    return json_response(body, status=status, headers=headers)


def not_found_response(field: str = ALL, message: str = "Not found.") -> JsonResponse:
    return error_response(404, {field: [message]}, code="not_found")


def allow_any_origin(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "Retry-After"
    return response


def endpoint(*methods: str):
    """An API view: CORS for any origin, the OPTIONS preflight, 405 for other methods, no CSRF
    (the API uses no cookies, so there is nothing to forge)."""
    allowed = [*methods, *(["HEAD"] if "GET" in methods else []), "OPTIONS"]

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "OPTIONS":
                response = HttpResponse(status=204)
                response["Access-Control-Allow-Methods"] = ", ".join(allowed)
                response["Access-Control-Allow-Headers"] = "Content-Type"
                response["Access-Control-Max-Age"] = "86400"
            elif request.method not in allowed:
                response = error_response(
                    405, {ALL: [f"Use {' or '.join(methods)} here."]}, code="method_not_allowed",
                    headers={"Allow": ", ".join(allowed)},
                )
            else:
                response = view(request, *args, **kwargs)
            return allow_any_origin(response)

        return wrapper

    return decorate


def text_parameter(request: HttpRequest, name: str, max_length: int, errors: dict) -> str:
    """A query parameter's stripped text ("" when absent); longer than `max_length` is an error."""
    raw = request.GET.get(name, "").strip()
    if len(raw) > max_length:
        errors[name] = [f"Use at most {max_length} characters."]
        return ""
    return raw


def read_json(request: HttpRequest) -> tuple[dict | None, JsonResponse | None]:
    """The body as a JSON object, or the 400/413 answer to send instead."""
    try:
        payload = json.loads(request.body or b"null")
    except RequestDataTooBig:
        return None, error_response(413, {ALL: ["The request is too large."]})
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError alike
        return None, error_response(400, {ALL: [f"The body is not valid JSON ({error})."]})
    if not isinstance(payload, dict):
        return None, error_response(400, {ALL: ["Send a JSON object, e.g. {\"coach\": 1, \"start\": \"...\", ...}."]})
    try:
        # A lone surrogate escape ("\ud800") is valid JSON but no text PostgreSQL can store.
        json.dumps(payload, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return None, error_response(400, {ALL: ["The body holds a lone surrogate escape, which is not text."]})
    return payload, None


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other path under /api/v1/: a JSON 404 (with CORS), not the site's HTML page."""
    return allow_any_origin(not_found_response(ALL, "There is no such API endpoint. See /api/v1/openapi.json."))
