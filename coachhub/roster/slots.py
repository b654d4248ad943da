"""The slot engine: when a coach is free to be booked, from their weekly hours, dates off, booking
rules, the bookings already in their calendar (chemistry calls, contracting and coaching sessions)
and the busy times read from the coach's own calendars (coachhub.roster.calendars), which count
exactly like bookings, buffer included."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import DateTimeField, ExpressionWrapper, F, Func, Value
from django.utils import timezone

from coachhub.roster.calendars.models import STALE_AFTER, BusyBlock
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
    changes); dates off, minimum notice, the booking horizon, every active booking, every busy
    block of the coach's own calendars and the coach's buffer after each are respected. Three
    queries, whatever the range.
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
    taken = _taken(profile, earliest, latest + duration + buffer, buffer, now)
    taken_ends = [end for _start, end in taken]

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


def _taken(profile: CoachProfile, earliest: datetime, latest: datetime, buffer: timedelta,
           now: datetime) -> list[tuple[datetime, datetime]]:
    """Everything that makes the coach busy in [earliest, latest), buffer after each included, as
    disjoint (start, end) pairs in order. Bookings and busy blocks in one query (a UNION): busy
    blocks of a paused connection, or of one with no good sync for STALE_AFTER, do not count."""
    bookings = (
        Booking.objects.filter(coach_id=profile.user_id, is_active=True, blocked__overlap=(earliest, latest))
        .annotate(lo=Func(F("blocked"), function="lower", output_field=DateTimeField()),
                  hi=Func(F("blocked"), function="upper", output_field=DateTimeField()))
        .order_by().values_list("lo", "hi")
    )
    busy = (
        BusyBlock.objects.filter(
            coach_id=profile.user_id, is_busy=True, starts_at__lt=latest, ends_at__gt=earliest - buffer,
            connection__is_paused=False, connection__last_good_sync_at__gte=now - STALE_AFTER,
        )
        .annotate(lo=F("starts_at"),
                  hi=ExpressionWrapper(F("ends_at") + Value(buffer), output_field=DateTimeField()))
        .order_by().values_list("lo", "hi")
    )
    merged: list[tuple[datetime, datetime]] = []
    # Bookings never overlap one another, but busy blocks may overlap anything: merge them.
    for start, end in sorted(bookings.union(busy, all=True)):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _is_free(start: datetime, end: datetime, taken: list[tuple[datetime, datetime]], taken_ends: list[datetime]) -> bool:
    index = bisect_right(taken_ends, start)
    return index == len(taken) or taken[index][0] >= end


def is_free_slot(profile: CoachProfile, start: datetime, now: datetime | None = None, minutes: int | None = None) -> bool:
    """Whether `start` is exactly one of `profile`'s free start times (chemistry call, or `minutes` long)."""
    day = start.astimezone(UTC).date()
    return start in free_slots(profile, first_day=day, last_day=day, zone=UTC, now=now, minutes=minutes)
