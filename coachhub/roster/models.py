"""The coach roster: each coach's public profile, when they can be booked, and the bookings that
occupy their calendar (chemistry calls, contracting and coaching sessions alike)."""

from __future__ import annotations

import secrets
from datetime import time

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from coachhub.tenancy.models import PracticeOwnedModel
from coachhub.tenancy.validators import validate_visible_characters, visible_text_constraint


def coach_photo_path(profile: CoachProfile, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"practices/{profile.practice_id}/coaches/{profile.user_id}-{secrets.token_hex(4)}.{extension}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CoachProfile(PracticeOwnedModel):
    """A coach's profile in one practice, and the rules of their booking calendar."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coach_profiles")
    photo = models.ImageField(upload_to=coach_photo_path, blank=True)
    headline = models.CharField(
        max_length=160, blank=True, validators=[validate_visible_characters],
        help_text="One line under your name in the directory.",
    )
    bio = models.TextField(blank=True, max_length=4000)
    approach = models.TextField("approach to coaching", blank=True, max_length=4000)
    specialisms = ArrayField(models.CharField(max_length=60, validators=[validate_visible_characters]), default=list, blank=True)
    accreditations = ArrayField(
        models.CharField(max_length=120, validators=[validate_visible_characters]), default=list, blank=True
    )
    languages = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    time_zone = models.CharField(max_length=64, default="Europe/London")
    video_link = models.URLField("video-call link", blank=True)
    meeting_link_mode = models.CharField(
        "video link per meeting", max_length=12, default="fixed",
        choices=[("fixed", "The same link every time (the one above)"),
                 ("per_meeting", "A new link for each meeting, from the practice's pattern")],
    )
    capacity = models.PositiveSmallIntegerField(
        default=8, validators=[MaxValueValidator(100)], help_text="How many coachees you can take on at once."
    )
    # Booking rules.
    chemistry_call_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(15), MaxValueValidator(120)]
    )
    minimum_notice_hours = models.PositiveSmallIntegerField(default=24, validators=[MaxValueValidator(24 * 30)])
    buffer_minutes = models.PositiveSmallIntegerField(default=15, validators=[MaxValueValidator(240)])
    horizon_days = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="How far ahead people may book.",
    )
    is_published = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True, help_text="Deactivated coaches keep their history.")
    calendar_token = models.CharField(max_length=64, default=new_calendar_token, editable=False)

    class Meta:
        ordering = ["user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="coach_profile_one_per_practice"),
            models.UniqueConstraint(fields=["practice", "calendar_token"], name="coach_profile_calendar_token_unique"),
            models.CheckConstraint(condition=models.Q(capacity__lte=100), name="coach_profile_capacity_range"),
            visible_text_constraint("headline", name="coach_profile_headline_visible"),
            models.CheckConstraint(
                condition=models.Q(chemistry_call_minutes__gte=15, chemistry_call_minutes__lte=120),
                name="coach_profile_call_length_range",
            ),
            models.CheckConstraint(
                condition=models.Q(horizon_days__gte=1, horizon_days__lte=365), name="coach_profile_horizon_range"
            ),
        ]
        indexes = [
            models.Index(fields=["practice", "is_published", "is_active"], name="coach_profile_directory"),
            GinIndex(fields=["specialisms"], name="coach_profile_specialisms"),
            GinIndex(fields=["languages"], name="coach_profile_languages"),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def audit_subject(self) -> tuple[str, dict[str, int | None]]:
        """How the audit trail names it: people by id, never by name (coachhub/tenancy/audit.py)."""
        return "coach profile of {coach}", {"coach": self.user_id}

    @property
    def is_bookable(self) -> bool:
        return self.is_published and self.is_active


class WeeklyHours(PracticeOwnedModel):
    """A window in which the coach takes meetings, every week, in the coach's own zone."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    coach = models.ForeignKey(CoachProfile, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField(default=time(9))
    ends_at = models.TimeField(default=time(17))

    class Meta:
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_at__lt=models.F("ends_at")), name="weekly_hours_start_before_end"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="weekly_hours_weekday_valid"),
        ]
        indexes = [models.Index(fields=["practice", "coach"], name="weekly_hours_coach")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class TimeOff(PracticeOwnedModel):
    """Whole days (in the coach's zone) on which the coach cannot be booked."""

    coach = models.ForeignKey(CoachProfile, on_delete=models.CASCADE, related_name="time_off")
    first_day = models.DateField()
    last_day = models.DateField()
    note = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(condition=models.Q(first_day__lte=models.F("last_day")), name="time_off_in_order"),
        ]
        indexes = [models.Index(fields=["practice", "coach", "last_day"], name="time_off_coach_upcoming")]

    def __str__(self) -> str:
        return f"{self.first_day}–{self.last_day}"


class Booking(PracticeOwnedModel):
    """Time a coach is committed: a chemistry call, a contracting or a coaching session.

    `blocked` is the meeting plus the coach's buffer after it. PostgreSQL's exclusion
    constraint forbids two active bookings of one coach whose blocked ranges overlap, so two
    people can never hold the same slot, however many requests race for it.
    """

    class Kind(models.TextChoices):
        CHEMISTRY_CALL = "chemistry_call", "Chemistry call"
        CONTRACTING = "contracting", "Contracting session"
        COACHING = "coaching", "Coaching session"

    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    blocked = DateTimeRangeField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            ExclusionConstraint(
                name="booking_no_overlap_per_coach",
                expressions=[
                    ("practice", RangeOperators.EQUAL),
                    ("coach", RangeOperators.EQUAL),
                    ("blocked", RangeOperators.OVERLAPS),
                ],
                condition=models.Q(is_active=True),
                violation_error_message="This time is no longer free.",
            ),
            models.CheckConstraint(condition=models.Q(starts_at__lt=models.F("ends_at")), name="booking_starts_before_end"),
        ]
        indexes = [models.Index(fields=["practice", "coach", "starts_at"], name="booking_coach_calendar")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M} UTC"


# Coaches' own calendars live in their own module; imported here so Django finds the models.
from coachhub.roster.calendars.models import BusyBlock, CalendarConnection, ConnectedCalendar  # noqa: E402

__all__ = ["Booking", "BusyBlock", "CalendarConnection", "CoachProfile", "ConnectedCalendar", "TimeOff", "WeeklyHours"]
