"""Celery tasks of the roster: syncing coaches' own calendars. Each loads by id and calls the code
that does the work. A sync enters its practice around its short transactions itself
(PracticeTaskInSteps), so no transaction stays open while a calendar server is asked."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from coachhub.roster.calendars.fetch import CalendarFetchError
from coachhub.roster.calendars.models import CalendarConnection
from coachhub.roster.calendars.sync import sync_connection
from coachhub.roster.calendars.writeback import write_event
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice
from coachhub.tenancy.tasks import PracticeTaskInSteps

# A sync is bounded by the fetch limits; these stop a worker that is stuck all the same.
SYNC_SOFT_LIMIT = 120
SYNC_HARD_LIMIT = 150
WRITE_BACK_RETRIES = 6


@shared_task(base=PracticeTaskInSteps, soft_time_limit=SYNC_SOFT_LIMIT, time_limit=SYNC_HARD_LIMIT)
def sync_calendar_connection(*, connection_id: int, practice_id: int) -> str | None:
    """One connection, now (on connect, "Sync now", and from the practice's sweep)."""
    try:
        outcome = sync_connection(practice=Practice.objects.get(pk=practice_id), connection_id=connection_id)
    except SoftTimeLimitExceeded:
        return "failing"
    return outcome.status if outcome else None


@shared_task(base=PracticeTaskInSteps)
def sync_practice_calendars(*, practice_id: int) -> int:
    """The practice's sweep: one task per connection that is not paused."""
    with practice_context(Practice.objects.get(pk=practice_id)):
        ids = list(CalendarConnection.objects.filter(is_paused=False).values_list("pk", flat=True))
    for connection_id in ids:
        sync_calendar_connection.apply_async(kwargs={"connection_id": connection_id, "practice_id": practice_id})
    return len(ids)


@shared_task
def sync_calendars_everywhere() -> int:
    """Beat's entry every 5 minutes (no practice): one sweep per practice, each in its own context."""
    practices = list(Practice.objects.filter(suspended_at__isnull=True).values_list("pk", flat=True))
    for practice_id in practices:
        sync_practice_calendars.apply_async(kwargs={"practice_id": practice_id})
    return len(practices)


@shared_task(base=PracticeTaskInSteps, bind=True, max_retries=WRITE_BACK_RETRIES, soft_time_limit=60, time_limit=90)
def write_back_event(self, *, practice_id: int, **event) -> bool:
    """One booking's event into one chosen CalDAV calendar; retried with backoff (30 s, 1, 2, 4 … min)."""
    try:
        return write_event(practice=Practice.objects.get(pk=practice_id), **event)
    except CalendarFetchError as error:
        raise self.retry(exc=error, countdown=min(3600, 30 * 2 ** self.request.retries)) from None
