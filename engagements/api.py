"""The public JSON API for booking chemistry calls: /api/v1/ on a practice's host.

The booking page's own script uses it, and practices embed it on their own websites, so it
answers CORS for any origin and takes no cookies: every endpoint is anonymous, and the POST is
exempt from CSRF. The practice is the host's (the tenancy middleware), so a coach of another
practice is simply not found.

Plain views: parse the input, call one selector or service, render JSON. Status codes:
- 400: a request that cannot be read (malformed JSON, bad query parameters);
- 404: no such coach here (unknown, unpublished, or of another practice, alike);
- 409: the booking conflicts with the coach's calendar or the leader's other calls
  (`code`: slot_taken, not_a_slot, max_calls, coach_unavailable) — fetch the slots
  again and choose another time or coach;
- 413: a body over DATA_UPLOAD_MAX_MEMORY_SIZE;
- 422: well-formed JSON with invalid fields;
- 429: too many booking attempts from one address or for one email (Retry-After says when).
Every error body is `{"errors": {"<field>" | "__all__": ["message", ...]}}`, plus a machine
`code` on 404, 405, 409 and 429. `openapi.json` (openapi_document() below) documents it all.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from allauth.account.adapter import get_adapter
from django import forms
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import transaction
from django.db.models import CharField, F, TextField
from django.db.models.functions import Cast, Lower
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from coachhub.roster.models import CoachProfile
from coachhub.tenancy.timezones import zone_or_none
from engagements import ratelimit
from engagements.models import ChemistryCall
from engagements.selectors import bookable_coaches, free_slots
from engagements.services import (
    BookingRefused,
    book_chemistry_call,
    confirm_leader_email,
)

logger = logging.getLogger(__name__)

# Settings (strings like "10/h"; see engagements.ratelimit): booking attempts per client
# address (an IPv4 address or an IPv6 /64, as allauth determines it behind trusted proxies)
# and per leader email.
RATE_PER_IP_SETTING, RATE_PER_IP_DEFAULT = "BOOKING_RATE_LIMIT_PER_IP", "10/h"
RATE_PER_EMAIL_SETTING, RATE_PER_EMAIL_DEFAULT = "BOOKING_RATE_LIMIT_PER_EMAIL", "5/h"

MAX_SLOT_RANGE_DAYS = 62
# No coach's horizon is longer (a database constraint says so); later starts are no slot.
LONGEST_HORIZON = timedelta(days=366)
# A second submit of a booking just made (same email, coach and start) gets the first answer
# again (201, the same booking; no second email), not an error; after this long it is a new
# request like any other.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)
ALL = "__all__"


# --- Responses ------------------------------------------------------------------------------

def _json(data, status: int = 200, headers: dict | None = None) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, headers=headers, json_dumps_params={"ensure_ascii": False})


def _errors(status: int, errors: dict[str, list[str]], code: str | None = None, headers: dict | None = None) -> JsonResponse:
    body: dict = {"errors": errors}
    if code:
        body["code"] = code
    return _json(body, status=status, headers=headers)


def _not_found(field: str = ALL, message: str = "Not found.") -> JsonResponse:
    return _errors(404, {field: [message]}, code="not_found")


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
                response = _errors(
                    405, {ALL: [f"Use {' or '.join(methods)} here."]}, code="method_not_allowed",
                    headers={"Allow": ", ".join(allowed)},
                )
            else:
                response = view(request, *args, **kwargs)
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = "Retry-After"
            return response

        return wrapper

    return decorate


# --- The coach directory ----------------------------------------------------------------------

def _photo_url(request: HttpRequest, profile: CoachProfile) -> str | None:
    if not profile.photo:
        return None
    try:
        return request.build_absolute_uri(reverse("coach_photo", args=[profile.pk]))
    except NoReverseMatch:
        return None


def _coach(request: HttpRequest, profile: CoachProfile) -> dict:
    return {
        "id": profile.pk,
        # Never the email: this is public, and str(user) falls back to it.
        "name": profile.user.full_name,
        "photo_url": _photo_url(request, profile),
        "headline": profile.headline,
        "bio": profile.bio,
        "approach": profile.approach,
        "specialisms": profile.specialisms,
        "languages": profile.languages,
        "accreditations": profile.accreditations,
        "time_zone": profile.time_zone,
        "chemistry_call_minutes": profile.chemistry_call_minutes,
    }


def _lowered(field: str) -> Cast:
    """An array column with every item in lower case (PostgreSQL has no lower() for arrays,
    so it goes through the array's text form, which quoting keeps intact)."""
    return Cast(Lower(Cast(F(field), TextField())), ArrayField(CharField()))


@endpoint("GET")
def coaches(request: HttpRequest) -> HttpResponse:
    """Published coaches, optionally those with one specialism and/or one language."""
    directory = bookable_coaches()
    for parameter, field in (("specialism", "specialisms"), ("language", "languages")):
        wanted = request.GET.get(parameter, "").strip()
        if wanted:
            directory = directory.alias(**{f"{field}_lower": _lowered(field)}).filter(
                **{f"{field}_lower__contains": [wanted.lower()]}
            )
    return _json([_coach(request, profile) for profile in directory])


# --- Free slots -------------------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_parameter(request: HttpRequest, name: str, errors: dict) -> date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        errors[name] = ["This parameter is required (YYYY-MM-DD)."]
        return None
    try:
        if not _DATE.match(raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = [f"{raw[:40]!r} is not a date: use YYYY-MM-DD, e.g. 2026-12-01."]
        return None


def _zone_parameter(raw: str | None, default: str, errors: dict, field: str = "tz"):
    name = (raw or "").strip() or default
    zone = zone_or_none(name)
    if zone is None:
        errors[field] = [f"{name[:64]!r} is not a time zone: use an IANA name such as Europe/London."]
    return name, zone


@endpoint("GET")
def slots(request: HttpRequest, coach_id: int) -> HttpResponse:
    """Free chemistry-call start times of one coach, from `start` to `end` (whole days in `tz`)."""
    profile = bookable_coaches().filter(pk=coach_id).first()
    if profile is None:
        return _not_found("coach", "There is no such coach at this practice.")
    errors: dict[str, list[str]] = {}
    first_day = _date_parameter(request, "start", errors)
    last_day = _date_parameter(request, "end", errors)
    zone_name, zone = _zone_parameter(request.GET.get("tz"), request.practice.time_zone, errors)
    longest = min(profile.horizon_days + 1, MAX_SLOT_RANGE_DAYS)
    if first_day and last_day:
        if last_day < first_day:
            errors["end"] = ["The end date must be on or after the start date."]
        elif (last_day - first_day).days + 1 > longest:
            errors["end"] = [f"Ask for at most {longest} days at a time."]
    if errors:
        return _errors(400, errors)
    today = timezone.now().astimezone(zone).date()
    if last_day < today - timedelta(days=1) or first_day > today + timedelta(days=profile.horizon_days + 1):
        times = []  # wholly in the past or beyond the horizon (and far-off years never reach the maths)
    else:
        times = free_slots(profile, first_day=first_day, last_day=last_day, zone=zone)
    return _json({"coach": profile.pk, "tz": zone_name, "slots": [moment.isoformat() for moment in times]})


# --- Booking a chemistry call -----------------------------------------------------------------

class _Strict:
    """JSON input: a string field given a number, list or object is an error, not str()-ed."""

    def to_python(self, value):
        if value is not None and not isinstance(value, str):
            raise ValidationError("Enter this as text.", code="invalid")
        return super().to_python(value)


class _Text(_Strict, forms.CharField):
    pass


class _Email(_Strict, forms.EmailField):
    pass


class ChemistryCallRequest(forms.Form):
    """The body of POST /chemistry-calls."""

    coach = forms.Field(error_messages={"required": "Choose a coach."})
    start = _Text(error_messages={"required": "Choose a time."})
    name = _Text(max_length=150, error_messages={"required": "Tell us your name."})
    email = _Email(max_length=254, error_messages={"required": "Tell us your email address."})
    objectives = _Text(max_length=5000, error_messages={"required": "Tell the coach what you would like to work on."})
    hopes = _Text(max_length=5000, required=False)
    tz = _Text(max_length=64, required=False)

    def clean_coach(self) -> int:
        value = self.cleaned_data["coach"]
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**63:
            raise ValidationError("Give the coach's id (a number from GET /coaches).", code="invalid")
        return value

    def clean_start(self) -> datetime:
        raw = self.cleaned_data["start"]
        try:
            start = datetime.fromisoformat(raw)
        except ValueError:
            raise ValidationError(
                "Give the time in ISO 8601 with its UTC offset, e.g. 2026-12-01T09:00:00+00:00.", code="invalid"
            ) from None
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValidationError("Give the time with its UTC offset, e.g. 2026-12-01T09:00:00+00:00.", code="no_offset")
        if start <= timezone.now():
            raise ValidationError("This time has passed. Please choose a time from the list.", code="past")
        if start > timezone.now() + LONGEST_HORIZON:
            raise ValidationError("No coach takes bookings that far ahead. Please choose a time from the list.", code="too_far")
        return start

    def clean_tz(self) -> str:
        errors: dict = {}
        name, _zone = _zone_parameter(self.cleaned_data["tz"], self.practice_zone, errors)
        if errors:
            raise ValidationError(errors["tz"][0], code="invalid")
        return name

    def __init__(self, *args, practice_zone: str, **kwargs):
        self.practice_zone = practice_zone
        super().__init__(*args, **kwargs)


def _client_address(request: HttpRequest) -> str:
    """The client's address as allauth sees it (ALLAUTH_TRUSTED_PROXY_COUNT and friends apply
    here as they do to sign-in limits)."""
    try:
        return ratelimit.client_network(get_adapter(request).get_client_ip(request))
    except PermissionDenied:
        return "unknown"


def _too_many(retry_after: int, message: str) -> JsonResponse:
    return _errors(429, {ALL: [message]}, code="rate_limited", headers={"Retry-After": str(retry_after)})


def _call(call: ChemistryCall, profile: CoachProfile, zone_name: str) -> dict:
    zone = ZoneInfo(zone_name)  # validated by the request form
    return {
        "id": call.pk,
        "coach": profile.pk,
        "start": call.booking.starts_at.astimezone(zone).isoformat(),
        "end": call.booking.ends_at.astimezone(zone).isoformat(),
        "tz": zone_name,
        "status": call.status,
    }


def _just_booked(*, profile: CoachProfile, email: str, starts_at: datetime) -> ChemistryCall | None:
    """The call this leader booked moments ago with this coach at this time, if any: a double
    submit is answered with it rather than refused. (To learn anything from this, a caller
    must already know the email, the coach and the exact time, within minutes of booking.)"""
    return (
        ChemistryCall.objects.select_related("booking")
        .filter(
            engagement__coachee__email=email.strip().lower(), coach_id=profile.user_id,
            status=ChemistryCall.Status.BOOKED, booking__is_active=True, booking__starts_at=starts_at,
            created_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW,
        )
        .first()
    )


def _confirm_new_leader(request: HttpRequest, call: ChemistryCall, created: bool) -> None:
    """A new leader is asked to confirm their address. Their booking does not wait for it (the
    emailed manage link works without signing in), so a failure here must not undo it."""
    try:
        with transaction.atomic():  # a failed query here must not spoil the booking's transaction
            confirm_leader_email(request, call.engagement.coachee, created)
    except Exception:
        logger.exception("email confirmation not sent to a new leader")


def _read_json(request: HttpRequest) -> tuple[dict | None, JsonResponse | None]:
    try:
        payload = json.loads(request.body or b"null")
    except RequestDataTooBig:
        return None, _errors(413, {ALL: ["The request is too large."]})
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError alike
        return None, _errors(400, {ALL: [f"The body is not valid JSON ({error})."]})
    if not isinstance(payload, dict):
        return None, _errors(400, {ALL: ["Send a JSON object, e.g. {\"coach\": 1, \"start\": \"...\", ...}."]})
    return payload, None


@endpoint("POST")
def chemistry_calls(request: HttpRequest) -> HttpResponse:
    """Book a chemistry call (anonymous). 201 with the booking; the manage link is only emailed."""
    wait = ratelimit.hit(
        "booking-ip", _client_address(request), ratelimit.rate_setting(RATE_PER_IP_SETTING, RATE_PER_IP_DEFAULT)
    )
    if wait:
        return _too_many(wait, "Too many booking attempts from your network. Please try again later.")
    payload, failure = _read_json(request)
    if failure:
        return failure
    form = ChemistryCallRequest(data=payload, practice_zone=request.practice.time_zone)
    if not form.is_valid():
        return _errors(422, {field: list(messages) for field, messages in form.errors.items()})
    data = form.cleaned_data
    wait = ratelimit.hit(
        "booking-email", data["email"].lower(), ratelimit.rate_setting(RATE_PER_EMAIL_SETTING, RATE_PER_EMAIL_DEFAULT)
    )
    if wait:
        return _too_many(wait, "Too many booking attempts for this email address. Please try again later.")
    profile = bookable_coaches().filter(pk=data["coach"]).first()
    if profile is None:
        return _not_found("coach", "There is no such coach at this practice.")
    return _book(request, profile, data)


def _book(request: HttpRequest, profile: CoachProfile, data: dict) -> JsonResponse:
    try:
        call, created = book_chemistry_call(
            profile=profile, starts_at=data["start"], name=data["name"], email=data["email"],
            objectives=data["objectives"], hopes=data["hopes"], time_zone=data["tz"],
            base_url=request.build_absolute_uri("/"),
        )
    except BookingRefused as refusal:
        same = _just_booked(profile=profile, email=data["email"], starts_at=data["start"])
        if same is not None:
            return _json(_call(same, profile, data["tz"]), status=201)
        return _errors(409, {refusal.field or ALL: [refusal.message]}, code=refusal.code)
    _confirm_new_leader(request, call, created)
    return _json(_call(call, profile, data["tz"]), status=201)


# --- Anything else under /api/v1/ -------------------------------------------------------------

@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    response = _not_found(ALL, "There is no such API endpoint. See /api/v1/openapi.json.")
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- The OpenAPI document ---------------------------------------------------------------------

def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_response(description: str, example: dict) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Errors"), "example": example}},
    }


_CORS_HEADER = {"Access-Control-Allow-Origin": {"$ref": "#/components/headers/AccessControlAllowOrigin"}}
_NOT_FOUND = _error_response(
    "No such coach at this practice (unknown, unpublished, or another practice's — alike).",
    {"errors": {"coach": ["There is no such coach at this practice."]}, "code": "not_found"},
)
_RATE_LIMITED = {
    "description": "Too many booking attempts from this address or for this email.",
    "headers": {**_CORS_HEADER, "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer", "minimum": 1}}},
    "content": {"application/json": {"schema": _ref("Errors"), "example": {
        "errors": {ALL: ["Too many booking attempts from your network. Please try again later."]}, "code": "rate_limited",
    }}},
}


def openapi_document(server_url: str, practice_name: str) -> dict:
    """The OpenAPI 3.1 description of this API, served from the practice's own origin."""
    string_list = {"type": "array", "items": {"type": "string"}}
    call_example = {
        "id": 412, "coach": 7, "start": "2026-12-01T09:00:00+00:00", "end": "2026-12-01T09:30:00+00:00",
        "tz": "Europe/London", "status": "booked",
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{practice_name} — booking API",
            "version": "1.0.0",
            "summary": "The coach directory, free chemistry-call times, and booking a chemistry call.",
            "description": (
                "Anonymous and cross-origin: every response carries `Access-Control-Allow-Origin: *`, "
                "preflight (OPTIONS) is answered, and no cookies are used. Times are ISO 8601 with "
                "a UTC offset, in the time zone you ask for (`tz`, an IANA name; default the "
                "practice's). Errors are `{\"errors\": {field: [message]}}`, where the field is "
                "`__all__` for the request as a whole, plus a machine `code` on 404, 409 and 429."
            ),
        },
        "servers": [{"url": server_url, "description": practice_name}],
        "paths": {
            "/coaches": {
                "get": {
                    "operationId": "listCoaches",
                    "summary": "Published coaches of this practice",
                    "parameters": [
                        {"name": "specialism", "in": "query", "required": False,
                         "description": "Only coaches with this specialism (case-insensitive, whole item).",
                         "schema": {"type": "string"}, "example": "Executive presence"},
                        {"name": "language", "in": "query", "required": False,
                         "description": "Only coaches who coach in this language (case-insensitive, whole item).",
                         "schema": {"type": "string"}, "example": "French"},
                    ],
                    "responses": {
                        "200": {
                            "description": "The directory, ordered by name.",
                            "headers": _CORS_HEADER,
                            "content": {"application/json": {
                                "schema": {"type": "array", "items": _ref("Coach")},
                                "example": [{
                                    "id": 7, "name": "Ada Lovelace", "photo_url": None,
                                    "headline": "Leadership transitions", "bio": "Twenty years in engineering leadership.",
                                    "approach": "Strengths-based, direct.", "specialisms": ["Executive presence"],
                                    "languages": ["English", "French"], "accreditations": ["ICF PCC"],
                                    "time_zone": "Europe/London", "chemistry_call_minutes": 30,
                                }],
                            }},
                        },
                    },
                },
            },
            "/coaches/{coach_id}/slots": {
                "get": {
                    "operationId": "listFreeSlots",
                    "summary": "Free chemistry-call start times of one coach",
                    "description": (
                        "Start times from the first moment of `start` to the end of `end`, as days "
                        "count in `tz`. The range may be at most 62 days, and at most the coach's "
                        "booking horizon plus one."
                    ),
                    "parameters": [
                        {"name": "coach_id", "in": "path", "required": True, "description": "The coach's `id`.",
                         "schema": {"type": "integer", "minimum": 1}, "example": 7},
                        {"name": "start", "in": "query", "required": True, "description": "First day, YYYY-MM-DD.",
                         "schema": {"type": "string", "format": "date"}, "example": "2026-12-01"},
                        {"name": "end", "in": "query", "required": True, "description": "Last day, YYYY-MM-DD (inclusive).",
                         "schema": {"type": "string", "format": "date"}, "example": "2026-12-14"},
                        {"name": "tz", "in": "query", "required": False,
                         "description": "IANA time zone for days and times; default the practice's.",
                         "schema": {"type": "string"}, "example": "Europe/London"},
                    ],
                    "responses": {
                        "200": {
                            "description": "Free start times (each lasting the coach's `chemistry_call_minutes`).",
                            "headers": _CORS_HEADER,
                            "content": {"application/json": {"schema": _ref("Slots"), "example": {
                                "coach": 7, "tz": "Europe/London",
                                "slots": ["2026-12-01T09:00:00+00:00", "2026-12-01T09:30:00+00:00"],
                            }}},
                        },
                        "400": _error_response("Missing or malformed parameters.", {"errors": {
                            "start": ["This parameter is required (YYYY-MM-DD)."],
                            "end": ["The end date must be on or after the start date."],
                            "tz": ["'Mars/Olympus' is not a time zone: use an IANA name such as Europe/London."],
                        }}),
                        "404": _NOT_FOUND,
                    },
                },
            },
            "/chemistry-calls": {
                "post": {
                    "operationId": "bookChemistryCall",
                    "summary": "Book a complimentary chemistry call",
                    "description": (
                        "Creates or reuses the leader's account (a new one is asked to confirm its "
                        "email) and emails the leader and the coach a confirmation with a calendar "
                        "invite; the leader's email holds the link to reschedule or cancel, which "
                        "this response never contains. Sending the same booking again within "
                        "10 minutes (same email, coach and start) gets the same answer again "
                        "(201, the same booking, no second email) — a double submit books once. "
                        "Rate-limited per client address and per email."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("ChemistryCallRequest"), "example": {
                            "coach": 7, "start": "2026-12-01T09:00:00+00:00", "name": "Grace Hopper",
                            "email": "grace@example.com", "objectives": "Lead a newly merged team.",
                            "hopes": "A clear plan for my first 100 days.", "tz": "Europe/London",
                        }}},
                    },
                    "responses": {
                        "201": {"description": "Booked (or the same booking, sent again moments after).",
                                "headers": _CORS_HEADER,
                                "content": {"application/json": {"schema": _ref("ChemistryCall"), "example": call_example}}},
                        "400": _error_response(
                            "The body is not JSON, or not a JSON object.",
                            {"errors": {ALL: ["The body is not valid JSON (Expecting value: line 1 column 1 (char 0))."]}},
                        ),
                        "404": _NOT_FOUND,
                        "409": _error_response(
                            "The booking conflicts with the coach's calendar or the leader's calls. `code`: "
                            "`slot_taken` (someone else just took it), `not_a_slot` (not, or no longer, one of "
                            "the coach's free times — fetch the slots again), `max_calls` (the leader already "
                            "has a call with this coach, or the practice's maximum), `coach_unavailable` "
                            "(the coach takes no new bookings).",
                            {
                                "errors": {"start": ["Sorry, that time has just been taken. Please choose another."]},
                                "code": "slot_taken",
                            },
                        ),
                        "413": _error_response("The body is too large.", {"errors": {ALL: ["The request is too large."]}}),
                        "422": _error_response("Invalid fields, each with its messages.", {"errors": {
                            "email": ["Enter a valid email address."],
                            "objectives": ["Tell the coach what you would like to work on."],
                            "start": ["This time has passed. Please choose a time from the list."],
                        }}),
                        "429": _RATE_LIMITED,
                    },
                },
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApiDocument",
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1", "headers": _CORS_HEADER,
                                          "content": {"application/json": {"schema": {"type": "object"}}}}},
                },
            },
        },
        "components": {
            "headers": {
                "AccessControlAllowOrigin": {
                    "description": "Any origin may call this API.", "schema": {"type": "string", "const": "*"},
                },
            },
            "schemas": {
                "Coach": {
                    "type": "object",
                    "required": ["id", "name", "photo_url", "headline", "approach", "specialisms", "languages",
                                 "accreditations", "time_zone"],
                    "properties": {
                        "id": {"type": "integer", "description": "The coach's id for slots and booking."},
                        "name": {"type": "string"},
                        "photo_url": {"type": ["string", "null"], "format": "uri"},
                        "headline": {"type": "string"},
                        "bio": {"type": "string"},
                        "approach": {"type": "string", "description": "Their approach to coaching."},
                        "specialisms": string_list,
                        "languages": string_list,
                        "accreditations": string_list,
                        "time_zone": {"type": "string", "description": "The coach's own IANA time zone."},
                        "chemistry_call_minutes": {"type": "integer"},
                    },
                },
                "Slots": {
                    "type": "object",
                    "required": ["coach", "tz", "slots"],
                    "properties": {
                        "coach": {"type": "integer"},
                        "tz": {"type": "string"},
                        "slots": {"type": "array", "items": {"type": "string", "format": "date-time"}},
                    },
                },
                "ChemistryCallRequest": {
                    "type": "object",
                    "required": ["coach", "start", "name", "email", "objectives"],
                    "properties": {
                        "coach": {"type": "integer", "minimum": 1, "description": "A coach `id` from /coaches."},
                        "start": {"type": "string", "format": "date-time",
                                  "description": "One of the coach's slots, ISO 8601 with a UTC offset."},
                        "name": {"type": "string", "minLength": 1, "maxLength": 150},
                        "email": {"type": "string", "format": "email", "maxLength": 254},
                        "objectives": {"type": "string", "minLength": 1, "maxLength": 5000,
                                       "description": "What the leader wants to work on."},
                        "hopes": {"type": "string", "maxLength": 5000, "description": "What they hope to achieve."},
                        "tz": {"type": "string", "description": "The leader's IANA time zone; default the practice's."},
                    },
                },
                "ChemistryCall": {
                    "type": "object",
                    "required": ["id", "coach", "start", "end", "tz", "status"],
                    "properties": {
                        "id": {"type": "integer"},
                        "coach": {"type": "integer"},
                        "start": {"type": "string", "format": "date-time"},
                        "end": {"type": "string", "format": "date-time"},
                        "tz": {"type": "string"},
                        "status": {"type": "string", "enum": ChemistryCall.Status.values},
                    },
                },
                "Errors": {
                    "type": "object",
                    "required": ["errors"],
                    "properties": {
                        "errors": {
                            "type": "object",
                            "description": "Messages per field; `__all__` for the request as a whole.",
                            "additionalProperties": string_list,
                        },
                        "code": {"type": "string", "enum": [
                            "not_found", "slot_taken", "not_a_slot", "max_calls", "coach_unavailable",
                            "rate_limited", "method_not_allowed",
                        ]},
                    },
                },
            },
        },
    }


@endpoint("GET")
def openapi(request: HttpRequest) -> HttpResponse:
    server = request.build_absolute_uri(reverse("api_openapi")).rsplit("/", 1)[0]
    return _json(openapi_document(server, request.practice.name))
