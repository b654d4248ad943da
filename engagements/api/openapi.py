"""The OpenAPI 3.1 description of the booking API (GET /openapi.json), served from the
practice's own origin. Every limit in it is taken from the module that enforces it, so the
description cannot promise more or less than the API does."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from coachhub.roster.models import CoachProfile
from coachhub.tenancy.bad_input import MAX_QUERY_VALUE_LENGTH
from coachhub.tenancy.timezones import known_zones
from engagements.api import chemistry_calls as booking
from engagements.api.coaches import (
    DATE_PATTERN,
    DIRECTORY_FILTERS,
    MAX_SLOT_RANGE_DAYS,
)
from engagements.api.http import ALL, endpoint, json_response
from engagements.models import ChemistryCall

# Text the API takes: no NUL character anywhere (refused before any view, see
# coachhub.tenancy.bad_input), and, where a value is required, something besides white space
# (values are stripped before they are checked).
NO_NUL = "^[^\\x00]*$"
NOT_BLANK = "^[^\\x00]*[^\\x00\\s][^\\x00]*$"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_response(description: str, example: dict) -> dict:
    return {
        "description": description,
        "headers": _CORS_HEADER,
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


_DEFAULT_HORIZON = CoachProfile._meta.get_field("horizon_days").default


def _rate(setting: str, default: str) -> str:
    return getattr(settings, setting, default)


def _time_zone(description: str) -> dict:
    """The names the API accepts, listed: exactly those `zone_parameter` checks against."""
    return {
        "type": "string", "enum": sorted(known_zones()),
        "description": f"{description} Exactly one of the names listed (the IANA time zone database); "
                       "any other value, a blank or padded name included, is refused.",
    }


def _directory_filter(parameter: str, max_length: int, description: str, example: str) -> dict:
    return {
        "name": parameter, "in": "query", "required": False, "description": description,
        "schema": {"type": "string", "maxLength": max_length, "pattern": NO_NUL}, "example": example,
    }


def _bad_query(example: dict) -> dict:
    return _error_response(
        f"Missing or malformed parameters: the messages name each parameter and its limit. A NUL "
        f"character anywhere, or any query parameter over {MAX_QUERY_VALUE_LENGTH} characters, is "
        f"refused the same way.",
        {"errors": example},
    )


def _example_day(today: date) -> date:
    """The day the examples book and list: a week ahead of the day the document is served, so an
    example never names a time already past (a booking's start must be in the future)."""
    return today + timedelta(days=7)


def openapi_document(server_url: str, practice_name: str, *, today: date | None = None) -> dict:
    """The OpenAPI 3.1 description of this API, served from the practice's own origin; its examples'
    dates are reckoned from `today` (the day it is served)."""
    string_list = {"type": "array", "items": {"type": "string"}}
    day = _example_day(today or timezone.now().date())
    start = datetime.combine(day, time(9, 0), tzinfo=UTC)
    slot_times = [start.isoformat(), (start + timedelta(minutes=30)).isoformat()]
    call_example = {
        "id": 412, "coach": 7, "start": slot_times[0], "end": slot_times[1], "tz": "Europe/London", "status": "booked",
    }
    specialism_length = DIRECTORY_FILTERS["specialism"][1]
    language_length = DIRECTORY_FILTERS["language"][1]
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
                "`__all__` for the request as a whole, plus a machine `code` on 404, 405, 409 and 429.\n\n"
                "Limits: a NUL character in the address or a query parameter is refused (400), in a "
                "field of a JSON body it is that field's error (422); a query parameter "
                f"may be at most {MAX_QUERY_VALUE_LENGTH} characters (400); free slots cover at most "
                f"{MAX_SLOT_RANGE_DAYS} days per request, and at most the coach's booking horizon plus "
                f"one day ({_DEFAULT_HORIZON + 1} days for the default {_DEFAULT_HORIZON}-day horizon); "
                "a booking body may be at most "
                f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes (413); booking attempts are limited "
                f"to {_rate(booking.RATE_PER_IP_SETTING, booking.RATE_PER_IP_DEFAULT)} per client address "
                f"and {_rate(booking.RATE_PER_EMAIL_SETTING, booking.RATE_PER_EMAIL_DEFAULT)} per email "
                "(429, with Retry-After in seconds). Text fields state their lengths below."
            ),
        },
        "servers": [{"url": server_url, "description": practice_name}],
        "paths": {
            "/coaches": {
                "get": {
                    "operationId": "listCoaches",
                    "summary": "Published coaches of this practice",
                    "parameters": [
                        _directory_filter(
                            "specialism", specialism_length,
                            f"Only coaches with this specialism (case-insensitive, whole item; at most "
                            f"{specialism_length} characters, as a stored specialism).",
                            "Executive presence",
                        ),
                        _directory_filter(
                            "language", language_length,
                            f"Only coaches who coach in this language (case-insensitive, whole item; at most "
                            f"{language_length} characters, as a stored language).",
                            "French",
                        ),
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
                        "400": _bad_query({"specialism": [f"Use at most {specialism_length} characters."]}),
                    },
                },
            },
            "/coaches/{coach_id}/slots": {
                "get": {
                    "operationId": "listFreeSlots",
                    "summary": "Free chemistry-call start times of one coach",
                    "description": (
                        "Start times from the first moment of `start` to the end of `end`, as days "
                        f"count in `tz`. `end` must be on or after `start`, and the range may be at most "
                        f"{MAX_SLOT_RANGE_DAYS} days, and at most the coach's booking horizon plus one "
                        f"({_DEFAULT_HORIZON + 1} days for the default {_DEFAULT_HORIZON}-day horizon); a range "
                        "outside that is a 400. Days "
                        "wholly in the past or beyond the horizon have no slots."
                    ),
                    "parameters": [
                        {"name": "coach_id", "in": "path", "required": True, "description": "The coach's `id`.",
                         "schema": {"type": "integer", "minimum": 1, "maximum": booking.MAX_ID}, "example": 7},
                        {"name": "start", "in": "query", "required": True, "description": "First day, YYYY-MM-DD.",
                         "schema": {"type": "string", "format": "date", "pattern": DATE_PATTERN}, "example": day.isoformat()},
                        {"name": "end", "in": "query", "required": True,
                         "description": "Last day, YYYY-MM-DD (inclusive).",
                         "schema": {"type": "string", "format": "date", "pattern": DATE_PATTERN},
                         "example": (day + timedelta(days=13)).isoformat()},
                        {"name": "tz", "in": "query", "required": False,
                         "description": "IANA time zone for days and times; default the practice's.",
                         "schema": _time_zone("An IANA time zone name."), "example": "Europe/London"},
                    ],
                    "responses": {
                        "200": {
                            "description": "Free start times (each lasting the coach's `chemistry_call_minutes`).",
                            "headers": _CORS_HEADER,
                            "content": {"application/json": {"schema": _ref("Slots"), "example": {
                                "coach": 7, "tz": "Europe/London",
                                "slots": slot_times,
                            }}},
                        },
                        "400": _bad_query({
                            "start": ["This parameter is required (YYYY-MM-DD)."],
                            "end": [f"Ask for at most {MAX_SLOT_RANGE_DAYS} days at a time."],
                            "tz": ["'Mars/Olympus' is not a time zone: use an IANA name such as Europe/London."],
                        }),
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
                        f"{int(booking.DOUBLE_SUBMIT_WINDOW.total_seconds() // 60)} minutes (same email, "
                        "coach and start) gets the same answer again (201, the same booking, no second "
                        "email) — a double submit books once. `start` must be in the future and at most "
                        f"{booking.LONGEST_HORIZON.days} days ahead (else 422), and one of the coach's free "
                        "slots (else 409 `not_a_slot`). Rate-limited per client address and per email."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("ChemistryCallRequest"), "example": {
                            "coach": 7, "start": slot_times[0], "name": "Grace Hopper",
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
                        "413": _error_response(
                            f"The body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
                            {"errors": {ALL: ["The request is too large."]}},
                        ),
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
                        "coach": {"type": "integer", "minimum": 1, "maximum": booking.MAX_ID,
                                  "description": "A coach `id` from /coaches."},
                        "start": {"type": "string", "format": "date-time",
                                  "description": "One of the coach's slots, ISO 8601 with a UTC offset."},
                        "name": {"type": "string", "minLength": 1, "maxLength": booking.NAME_MAX_LENGTH,
                                 "pattern": NOT_BLANK},
                        "email": {"type": "string", "format": "email", "maxLength": booking.EMAIL_MAX_LENGTH},
                        "objectives": {"type": "string", "minLength": 1, "maxLength": booking.OBJECTIVES_MAX_LENGTH,
                                       "pattern": NOT_BLANK, "description": "What the leader wants to work on."},
                        "hopes": {"type": "string", "maxLength": booking.OBJECTIVES_MAX_LENGTH, "pattern": NO_NUL,
                                  "description": "What they hope to achieve."},
                        "tz": _time_zone("The leader's IANA time zone; default the practice's."),
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
    return json_response(openapi_document(server, request.practice.name))
