"""The slot engine: when a coach is free to be booked, from their weekly hours, dates off, booking
rules and the bookings already in their calendar (chemistry calls, contracting and coaching sessions)."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from coachhub.roster.models import Booking, CoachProfile

UTC = ZoneInfo("UTC")


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def free_slots(
    profile: CoachProfile, *, first_day: date, last_day: date, zone: ZoneInfo, now: datetime | None = None,
    minutes: int | None = None,
) -> list[datetime]:
    """Start times of a chemistry call with `profile` that are free, for the days
    `first_day`..`last_day` as a viewer in `zone` counts days; aware datetimes in `zone`.
    `minutes` sets another meeting length (a contracting session); default the coach's call length.

    Weekly hours are read in the coach's own zone (so they follow its daylight-saving
    changes); dates off, minimum notice, the booking horizon, every active booking and the
    coach's buffer after each meeting are respected. Three queries, whatever the range.
    """
    now = now or timezone.now()
    coach_zone = ZoneInfo(profile.time_zone)
    duration = timedelta(minutes=minutes or profile.chemistry_call_minutes)
    buffer = timedelta(minutes=profile.buffer_minutes)
    earliest = max(now + timedelta(hours=profile.minimum_notice_hours), _local_midnight(first_day, zone))
    latest = min(now + timedelta(days=profile.horizon_days), _local_midnight(last_day + timedelta(days=1), zone))
    if earliest >= latest:
        return []

    first_coach_day = earliest.astimezone(coach_zone).date()
    last_coach_day = latest.astimezone(coach_zone).date()
    hours_by_weekday: dict[int, list[tuple[time, time]]] = {}
    for rule in profile.weekly_hours.all():
        hours_by_weekday.setdefault(rule.weekday, []).append((rule.starts_at, rule.ends_at))
    days_off = set()
    for period in profile.time_off.filter(last_day__gte=first_coach_day, first_day__lte=last_coach_day):
        day = period.first_day
        while day <= period.last_day:
            days_off.add(day)
            day += timedelta(days=1)
    # Active bookings never overlap one another, so sorted by start they are sorted by end too.
    taken = list(
        Booking.objects.filter(
            coach_id=profile.user_id, is_active=True, blocked__overlap=(earliest, latest + duration + buffer)
        ).order_by("starts_at").values_list("blocked", flat=True)
    )
    taken_ends = [blocked.upper for blocked in taken]

    slots = []
    day = first_coach_day
    while day <= last_coach_day:
        if day not in days_off:
            for opens, closes in hours_by_weekday.get(day.weekday(), []):
                start = datetime.combine(day, opens, tzinfo=coach_zone).astimezone(UTC)
                close = datetime.combine(day, closes, tzinfo=coach_zone).astimezone(UTC)
                while start + duration <= close:
                    if earliest <= start < latest and _is_free(start, start + duration + buffer, taken, taken_ends):
                        slots.append(start.astimezone(zone))
                    start += duration
        day += timedelta(days=1)
    return sorted(slots)


def _is_free(start: datetime, end: datetime, taken: list, taken_ends: list[datetime]) -> bool:
    index = bisect_right(taken_ends, start)
    return index == len(taken) or taken[index].lower >= end


def is_free_slot(profile: CoachProfile, start: datetime, now: datetime | None = None, minutes: int | None = None) -> bool:
    """Whether `start` is exactly one of `profile`'s free start times (chemistry call, or `minutes` long)."""
    day = start.astimezone(UTC).date()
    return start in free_slots(profile, first_day=day, last_day=day, zone=UTC, now=now, minutes=minutes)
