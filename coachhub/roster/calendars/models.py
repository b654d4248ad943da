"""A coach's connections to their own calendars, the calendars found there, and busy blocks.

Only what scheduling needs is kept from other people's calendars: when a block starts and ends
(UTC) and whether it makes the coach busy. No titles, attendees or descriptions.
Credentials (a CalDAV app password, an iCalendar subscription's secret address) are stored only
encrypted (coachhub.tenancy.encryption) and never shown again.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from coachhub.tenancy.models import PracticeOwnedModel

# Blocks of a connection that has not synced for this long stop counting, and the page says so.
STALE_AFTER = timedelta(hours=24)


class CalendarConnection(PracticeOwnedModel):
    """One account or subscription a coach connected: a CalDAV server, or an iCalendar URL."""

    class Kind(models.TextChoices):
        CALDAV = "caldav", "CalDAV"
        ICAL = "ical", "iCalendar subscription"

    class Status(models.TextChoices):
        NEW = "new", "Not synced yet"
        OK = "ok", "Syncing"
        FAILING = "failing", "Failing"

    coach = models.ForeignKey("roster.CoachProfile", on_delete=models.CASCADE, related_name="calendar_connections")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Where it lives, for people to recognise it (the host only: a subscription's path is its secret).
    host = models.CharField(max_length=255)
    username = models.CharField(max_length=255, blank=True)
    # JSON {"url": ..., "password": ...}, encrypted.
    secret_ciphertext = models.TextField()
    is_paused = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    failure_reason = models.CharField(max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_good_sync_at = models.DateTimeField(null=True, blank=True)
    # A booking that could not be written into the chosen calendar (shown on the page; retried).
    write_back_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["practice", "coach"], name="calendar_connection_coach")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.host}"

    def audit_subject(self) -> tuple[str, dict[str, int | None]]:
        """How the audit trail names it: people by id, never by name (coachhub/tenancy/audit.py)."""
        return f"calendar connection {self.pk} ({self.host}) of {{coach}}", {"coach": self.coach.user_id}


class ConnectedCalendar(PracticeOwnedModel):
    """One calendar of a connection: whether it counts as busy, whether bookings go into it."""

    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="calendars")
    url = models.CharField(max_length=2000)
    name = models.CharField(max_length=200)
    counts_as_busy = models.BooleanField(default=True)
    receives_bookings = models.BooleanField(default=False)
    # CalDAV sync-collection token, or an iCalendar feed's ETag / Last-Modified.
    sync_token = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    # Recurrences are expanded up to here; past the booking horizon's reach a sync starts over.
    expanded_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "connection", "url"], name="connected_calendar_unique_url"),
        ]

    def __str__(self) -> str:
        return self.name


class BusyBlock(PracticeOwnedModel):
    """A stretch of time from a coach's own calendar: start and end in UTC, busy or free (transparent).

    `coach` and `connection` are carried so the slot engine filters on one index with one join.
    `source` is a hash of the calendar object's address, so a changed or deleted event's blocks
    can be replaced; it reveals nothing of the event.
    """

    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="busy_blocks")
    calendar = models.ForeignKey(ConnectedCalendar, on_delete=models.CASCADE, related_name="busy_blocks")
    source = models.CharField(max_length=64)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    is_busy = models.BooleanField(default=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_at__lt=models.F("ends_at")), name="busy_block_starts_before_end"),
        ]
        indexes = [
            # The slot engine's filter: this coach's busy blocks that overlap a window.
            models.Index(fields=["practice", "coach", "starts_at"], condition=models.Q(is_busy=True),
                         name="busy_block_coach_window"),
            models.Index(fields=["practice", "calendar", "source"], name="busy_block_source"),
        ]

    def __str__(self) -> str:
        return f"{'busy' if self.is_busy else 'free'} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} UTC"
