"""POST /chemistry-calls: an anonymous leader books a complimentary chemistry call."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from allauth.account.adapter import get_adapter
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from coachhub.roster.models import CoachProfile
from coachhub.roster.selectors import bookable_coaches
from coachhub.tenancy.validators import validate_visible_characters
from engagements import ratelimit
from engagements.api.coaches import TIME_ZONE_MAX_LENGTH, zone_parameter
from engagements.api.http import (
    ALL,
    endpoint,
    error_response,
    json_response,
    not_found_response,
    read_json,
)
from engagements.models import ChemistryCall
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

# No coach's horizon is longer (a database constraint says so); later starts are no slot.
LONGEST_HORIZON = timedelta(days=366)
# A second submit of a booking just made (same email, coach and start) gets the first answer
# again (201, the same booking; no second email), not an error; after this long it is a new
# request like any other.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)
NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254
OBJECTIVES_MAX_LENGTH = 5000
# The largest id PostgreSQL's bigint holds.
MAX_ID = 2**63 - 1


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
    name = _Text(
        max_length=NAME_MAX_LENGTH, validators=[validate_visible_characters], error_messages={"required": "Tell us your name."}
    )
    email = _Email(max_length=EMAIL_MAX_LENGTH, error_messages={"required": "Tell us your email address."})
    objectives = _Text(
        max_length=OBJECTIVES_MAX_LENGTH, error_messages={"required": "Tell the coach what you would like to work on."}
    )
    hopes = _Text(max_length=OBJECTIVES_MAX_LENGTH, required=False)
    tz = _Text(max_length=TIME_ZONE_MAX_LENGTH, required=False, strip=False)

    def clean_coach(self) -> int:
        value = self.cleaned_data["coach"]
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
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
        # Left out: the practice's zone. Given (even blank or null): one of the names the description lists.
        given = self.cleaned_data["tz"] if "tz" in self.data else None
        name, _zone = zone_parameter(given, self.practice_zone, errors)
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
    return error_response(429, {ALL: [message]}, code="rate_limited", headers={"Retry-After": str(retry_after)})


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


@endpoint("POST")
def chemistry_calls(request: HttpRequest) -> HttpResponse:
    """Book a chemistry call (anonymous). 201 with the booking; the manage link is only emailed."""
    wait = ratelimit.hit(
        "booking-ip", _client_address(request), ratelimit.rate_setting(RATE_PER_IP_SETTING, RATE_PER_IP_DEFAULT)
    )
    if wait:
        return _too_many(wait, "Too many booking attempts from your network. Please try again later.")
    payload, failure = read_json(request)
    if failure:
        return failure
    form = ChemistryCallRequest(data=payload, practice_zone=request.practice.time_zone)
    if not form.is_valid():
        return error_response(422, {field: list(messages) for field, messages in form.errors.items()})
    data = form.cleaned_data
    wait = ratelimit.hit(
        "booking-email", data["email"].lower(), ratelimit.rate_setting(RATE_PER_EMAIL_SETTING, RATE_PER_EMAIL_DEFAULT)
    )
    if wait:
        return _too_many(wait, "Too many booking attempts for this email address. Please try again later.")
    profile = bookable_coaches().filter(pk=data["coach"]).first()
    if profile is None:
        return not_found_response("coach", "There is no such coach at this practice.")
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
            return json_response(_call(same, profile, data["tz"]), status=201)
        return error_response(409, {refusal.field or ALL: [refusal.message]}, code=refusal.code)
    _confirm_new_leader(request, call, created)
    return json_response(_call(call, profile, data["tz"]), status=201)
