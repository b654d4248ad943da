"""The benchmark's data, in its own database: idempotent, quick when already there.

A practice `bench` (host bench.localhost) with 20 published coaches, each with weekly hours,
and one of them (the "busy" coach, Europe/London, Mon–Fri 09:00–17:00) with a booking on every
working day from a year ago to a year ahead. The bookings follow "today": each run adds the
days that are missing and drops those that have fallen out of the window, so the calendar
always looks the same relative to now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from coachhub.accounts.models import User
from coachhub.roster.models import Booking, CoachProfile, WeeklyHours
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Membership, Practice, Role

PRACTICE_SLUG = "bench"
COACH_COUNT = 20
BUSY_EMAIL = "coach01@bench.example"
BUSY_ZONE = "Europe/London"
BOOKING_WINDOW_DAYS = 365  # back and ahead of today

ZONES = ["Europe/London", "Europe/London", "Europe/Paris", "America/New_York", "Asia/Singapore"]
SPECIALISMS = ["Leadership transition", "Change", "Difficult conversations", "First-time managers",
               "Influence", "Psychometrics", "Teams", "Resilience", "Strategy", "Executive presence"]
LANGUAGES = ["English", "French", "Spanish", "German", "Mandarin"]
KINDS = [Booking.Kind.COACHING, Booking.Kind.COACHING, Booking.Kind.CHEMISTRY_CALL, Booking.Kind.CONTRACTING]


@dataclass(frozen=True)
class BenchData:
    practice: Practice
    busy_profile_id: int
    busy_zone: str
    coach_count: int
    busy_bookings: int


def _coach_spec(number: int) -> dict:
    return {
        "time_zone": BUSY_ZONE if number == 1 else ZONES[number % len(ZONES)],
        "is_published": True,
        "headline": f"Executive coach number {number}",
        "bio": "Former operations director; twelve years coaching senior leaders through growth, mergers "
               "and new roles. " * 3,
        "approach": "Warm, direct and practical. We agree what success looks like, then use each session to "
                    "try new ways of working and reflect on what changed.",
        "specialisms": [SPECIALISMS[(number + i) % len(SPECIALISMS)] for i in range(3)],
        "accreditations": ["ICF PCC", "EMCC Senior Practitioner"],
        "languages": ["English"] + ([LANGUAGES[number % len(LANGUAGES)]] if number % len(LANGUAGES) else []),
        "video_link": f"https://meet.example.com/bench-{number}",
    }


def _ensure_coach(number: int) -> CoachProfile:
    email = f"coach{number:02d}@bench.example"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, None, full_name=f"Bench Coach {number:02d}")
    Membership.objects.get_or_create(user=user, role=Role.COACH)
    profile, created = CoachProfile.objects.get_or_create(user=user, defaults=_coach_spec(number))
    if created:
        WeeklyHours.objects.bulk_create(
            WeeklyHours(practice=profile.practice, coach=profile, weekday=weekday, starts_at=time(9), ends_at=time(17))
            for weekday in range(5)
        )
    return profile


def _booking_start(day: date, zone: ZoneInfo) -> datetime:
    """One meeting a working day, at a time that moves through the day (09:00–15:30 local)."""
    slot = day.toordinal() % 14
    return datetime.combine(day, time(9 + slot // 2, 30 * (slot % 2)), tzinfo=zone)


def _ensure_bookings(practice: Practice, profile: CoachProfile) -> int:
    zone = ZoneInfo(profile.time_zone)
    today = timezone.now().astimezone(zone).date()
    first, last = today - timedelta(days=BOOKING_WINDOW_DAYS), today + timedelta(days=BOOKING_WINDOW_DAYS)
    window_start = datetime.combine(first, time(0), tzinfo=zone)
    window_end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    mine = Booking.objects.filter(coach_id=profile.user_id)
    mine.exclude(starts_at__gte=window_start, starts_at__lt=window_end).delete()
    booked_days = {
        starts_at.astimezone(zone).date()
        for starts_at in mine.filter(is_active=True).values_list("starts_at", flat=True)
    }
    duration = timedelta(minutes=profile.chemistry_call_minutes)
    buffer = timedelta(minutes=profile.buffer_minutes)
    missing = []
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in booked_days:
            starts_at = _booking_start(day, zone)
            missing.append(Booking(
                practice=practice, coach_id=profile.user_id, kind=KINDS[day.toordinal() % len(KINDS)],
                starts_at=starts_at, ends_at=starts_at + duration,
                # As engagements.services._hold builds it: the meeting plus the coach's buffer.
                blocked=DateTimeTZRange(starts_at, starts_at + duration + buffer, "[)"),
            ))
        day += timedelta(days=1)
    Booking.objects.bulk_create(missing, batch_size=500)
    return mine.filter(is_active=True).count()


@transaction.atomic
def ensure_data() -> BenchData:
    practice, _ = Practice.objects.get_or_create(
        slug=PRACTICE_SLUG, defaults={"name": "Bench Coaching", "time_zone": BUSY_ZONE}
    )
    if practice.is_suspended:
        practice.suspended_at = None
        practice.save(update_fields=["suspended_at", "updated_at"])
    with practice_context(practice):
        profiles = [_ensure_coach(number) for number in range(1, COACH_COUNT + 1)]
        busy = profiles[0]
        # The bench depends on these; put them back if anything changed them.
        CoachProfile.objects.filter(pk=busy.pk).update(
            time_zone=BUSY_ZONE, is_published=True, is_active=True, chemistry_call_minutes=30,
            buffer_minutes=15, minimum_notice_hours=24, horizon_days=60,
        )
        busy.refresh_from_db()
        bookings = _ensure_bookings(practice, busy)
    return BenchData(
        practice=practice, busy_profile_id=busy.pk, busy_zone=BUSY_ZONE,
        coach_count=len(profiles), busy_bookings=bookings,
    )
