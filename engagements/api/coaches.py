"""GET /coaches (the directory) and GET /coaches/{id}/slots (a coach's free chemistry-call times)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.contrib.postgres.fields import ArrayField
from django.db.models import CharField, F, TextField
from django.db.models.functions import Cast, Lower
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from coachhub.roster.models import CoachProfile
from coachhub.roster.selectors import bookable_coaches
from coachhub.roster.slots import free_slots
from coachhub.tenancy.timezones import zone_or_none
from engagements.api.http import (
    endpoint,
    error_response,
    json_response,
    not_found_response,
    text_parameter,
)

# A filter longer than any stored item can match nothing: refused, with the limit stated.
DIRECTORY_FILTERS = {
    "specialism": ("specialisms", CoachProfile._meta.get_field("specialisms").base_field.max_length),
    "language": ("languages", CoachProfile._meta.get_field("languages").base_field.max_length),
}
MAX_SLOT_RANGE_DAYS = 62
TIME_ZONE_MAX_LENGTH = CoachProfile._meta.get_field("time_zone").max_length
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_DATE = re.compile(DATE_PATTERN)


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
    errors: dict[str, list[str]] = {}
    wanted = {
        field: text_parameter(request, parameter, max_length, errors)
        for parameter, (field, max_length) in DIRECTORY_FILTERS.items()
    }
    if errors:
        return error_response(400, errors)
    directory = bookable_coaches()
    for field, value in wanted.items():
        if value:
            directory = directory.alias(**{f"{field}_lower": _lowered(field)}).filter(
                **{f"{field}_lower__contains": [value.lower()]}
            )
    return json_response([_coach(request, profile) for profile in directory])


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


def zone_parameter(raw: str | None, default: str, errors: dict, field: str = "tz"):
    """The time zone named exactly `raw` (`default` when it is not given), and its name; an error
    for anything else, a blank or padded name included: the OpenAPI description lists the names
    accepted, and a value outside that list is refused, never read as something near it."""
    name = default if raw is None else raw
    zone = zone_or_none(name)
    if zone is None:
        errors[field] = [f"{name[:TIME_ZONE_MAX_LENGTH]!r} is not a time zone: use an IANA name such as Europe/London."]
    return name, zone


@endpoint("GET")
def slots(request: HttpRequest, coach_id: int) -> HttpResponse:
    """Free chemistry-call start times of one coach, from `start` to `end` (whole days in `tz`)."""
    profile = bookable_coaches().filter(pk=coach_id).first()
    if profile is None:
        return not_found_response("coach", "There is no such coach at this practice.")
    errors: dict[str, list[str]] = {}
    first_day = _date_parameter(request, "start", errors)
    last_day = _date_parameter(request, "end", errors)
    zone_name, zone = zone_parameter(request.GET.get("tz"), request.practice.time_zone, errors)
    longest = min(profile.horizon_days + 1, MAX_SLOT_RANGE_DAYS)
    if first_day and last_day:
        if last_day < first_day:
            errors["end"] = ["The end date must be on or after the start date."]
        elif (last_day - first_day).days + 1 > longest:
            errors["end"] = [f"Ask for at most {longest} days at a time."]
    if errors:
        return error_response(400, errors)
    today = timezone.now().astimezone(zone).date()
    if last_day < today - timedelta(days=1) or first_day > today + timedelta(days=profile.horizon_days + 1):
        times = []  # wholly in the past or beyond the horizon (and far-off years never reach the maths)
    else:
        times = free_slots(profile, first_day=first_day, last_day=last_day, zone=zone)
    return json_response({"coach": profile.pk, "tz": zone_name, "slots": [moment.isoformat() for moment in times]})
