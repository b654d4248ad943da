"""Reads about coaches' own calendars. A connection is only ever found for its own coach (anything
else, another coach's or another practice's, is None, so views answer 404 alike); admins get a
summary per coach without credentials, calendar names or anything read from the calendars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from coachhub.roster.calendars.models import STALE_AFTER, CalendarConnection, ConnectedCalendar
from coachhub.roster.models import CoachProfile


def access_calendar_connection(user, connection_id: int) -> CalendarConnection | None:
    """The connection if it is one of `user`'s own in this practice."""
    return (
        CalendarConnection.objects.filter(pk=connection_id, coach__user=user)
        .select_related("coach__user").first()
    )


def connections_of(profile: CoachProfile) -> QuerySet[CalendarConnection]:
    """The coach's connections with their calendars and busy-block counts: two queries."""
    if profile.pk is None:
        return CalendarConnection.objects.none()
    return (
        CalendarConnection.objects.filter(coach=profile)
        .annotate(busy_count=Count("busy_blocks", filter=Q(busy_blocks__is_busy=True)))
        .prefetch_related(Prefetch("calendars", queryset=ConnectedCalendar.objects.order_by("name")))
    )


def is_stale(connection: CalendarConnection, now: datetime | None = None) -> bool:
    """No good sync for STALE_AFTER: its busy blocks no longer count, and the page warns."""
    if connection.last_good_sync_at is None:
        return connection.status == CalendarConnection.Status.FAILING
    return connection.last_good_sync_at < (now or timezone.now()) - STALE_AFTER


@dataclass(frozen=True)
class CalendarSummary:
    """What an admin sees of a coach's calendars: how many, the last good sync, whether one fails."""

    connections: int
    last_good_sync_at: datetime | None
    failing: int


def calendar_summaries() -> dict[int, CalendarSummary]:
    """Per coach profile: one query, however many coaches."""
    rows = CalendarConnection.objects.values("coach_id").annotate(
        n=Count("pk"), last=Max("last_good_sync_at"),
        failing=Count("pk", filter=Q(status=CalendarConnection.Status.FAILING)),
    ).order_by()
    return {row["coach_id"]: CalendarSummary(row["n"], row["last"], row["failing"]) for row in rows}
