"""Syncing a connection: read what changed on the server, turn it into busy blocks, record the result.

The network is never touched inside a transaction: a sync reads what it needs in the practice's
context, fetches with no transaction open (bounded by the fetch limits), then writes everything in
one short transaction. A failure marks the connection failing with the reason; its last known
blocks stay (the slot engine counts them for STALE_AFTER, then the page warns).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from coachhub.roster.calendars import busy, dav
from coachhub.roster.calendars.fetch import CalendarFetchError, fetch_ical
from coachhub.roster.calendars.models import BusyBlock, CalendarConnection
from coachhub.tenancy import encryption
from coachhub.tenancy.context import practice_context

logger = logging.getLogger(__name__)

# Busy times are read from a day back to a little past the coach's booking horizon.
LOOK_BACK = timedelta(days=1)
SLACK = timedelta(days=2)


@dataclass
class SyncOutcome:
    coach_email: str
    busy_blocks: int
    status: str
    reason: str = ""


@dataclass
class _CalendarPlan:
    calendar_id: int
    url: str
    sync_token: str
    etag: str
    last_modified: str
    start_over: bool


@dataclass
class _CalendarResult:
    calendar_id: int
    full: bool
    sync_token: str = ""
    last_modified: str = ""
    unchanged: bool = False
    replaced_sources: set[str] = field(default_factory=set)
    blocks: list[tuple[str, busy.Block]] = field(default_factory=list)


def secrets_of(connection: CalendarConnection) -> dict:
    return json.loads(encryption.decrypt(connection.secret_ciphertext, what="Calendar credentials") or "{}")


def seal(secrets: dict) -> str:
    return encryption.encrypt(json.dumps(secrets))


def source_key(href: str) -> str:
    """The same key for an object's address however the server spells it (absolute, relative, %-encoded)."""
    return hashlib.sha256(unquote(urlsplit(href).path).encode()).hexdigest()


def is_our_uid(uid: str) -> bool:
    """An event CoachHub wrote (or emailed): its booking already blocks the time, so sync skips it."""
    return bool(re.fullmatch(rf"(chemistry-call|contracting-session|coaching-session)-\d+@{re.escape(settings.BASE_DOMAIN)}", uid))


def window(horizon_days: int, now: datetime) -> tuple[datetime, datetime]:
    return now - LOOK_BACK, now + timedelta(days=horizon_days) + SLACK


def sync_connection(*, practice, connection_id: int, now: datetime | None = None) -> SyncOutcome | None:
    """Sync one connection now (None: no such connection in this practice)."""
    now = now or timezone.now()
    with practice_context(practice):
        connection = (CalendarConnection.objects.select_related("coach__user").filter(pk=connection_id).first())
        if connection is None:
            return None
        profile = connection.coach
        start, end = window(profile.horizon_days, now)
        plans = [
            _CalendarPlan(c.pk, c.url, c.sync_token, c.sync_token, c.last_modified,
                          start_over=c.expanded_until is None or c.expanded_until < end - SLACK / 2)
            for c in connection.calendars.filter(counts_as_busy=True)
        ]
        secrets = secrets_of(connection)
        kind, username = connection.kind, connection.username
        email, zone = profile.user.email, ZoneInfo(profile.time_zone)
    try:
        if kind == CalendarConnection.Kind.ICAL:
            results = [_read_ical(plan, secrets["url"], start, end, zone) for plan in plans]
        else:
            results = _read_caldav(plans, secrets, username, start, end, zone)
    except (CalendarFetchError, busy.MalformedCalendar) as error:
        reason = str(error)
    except Exception:  # noqa: BLE001 - whatever a server sends, the beat goes on; logged without secrets
        logger.exception("calendar sync of connection %s failed unexpectedly", connection_id)
        reason = "The calendar could not be synced (an unexpected answer)."
    else:
        with practice_context(practice):
            count = _record(connection_id, results, end, now)
        if count is None:
            return None
        return SyncOutcome(email, count, "ok")
    with practice_context(practice):
        updated = CalendarConnection.objects.filter(pk=connection_id).update(
            status=CalendarConnection.Status.FAILING, failure_reason=reason[:300], last_attempt_at=now, updated_at=now
        )
        count = BusyBlock.objects.filter(connection_id=connection_id, is_busy=True).count()
    return SyncOutcome(email, count, "failing", reason) if updated else None


def _read_ical(plan: _CalendarPlan, url: str, start, end, zone) -> _CalendarResult:
    fetched = fetch_ical(url, etag="" if plan.start_over else plan.etag,
                         last_modified="" if plan.start_over else plan.last_modified)
    result = _CalendarResult(plan.calendar_id, full=True, sync_token=fetched.etag, last_modified=fetched.last_modified)
    if fetched.not_modified:
        result.unchanged, result.sync_token, result.last_modified = True, plan.etag, plan.last_modified
        return result
    calendar = busy.parse(fetched.body)
    result.blocks = [("feed", block) for block in busy.blocks(calendar, window_start=start, window_end=end, zone=zone, skip_uid=is_our_uid)]
    return result


def _read_caldav(plans: list[_CalendarPlan], secrets: dict, username: str, start, end, zone) -> list[_CalendarResult]:
    results = []
    with dav.client(url=secrets["url"], username=username, password=secrets.get("password", "")) as client:
        for plan in plans:
            found = dav.changes(client, calendar_url=plan.url, sync_token="" if plan.start_over else plan.sync_token)
            result = _CalendarResult(plan.calendar_id, full=found.full, sync_token=found.sync_token)
            result.unchanged = not found.full and not found.changed and not found.deleted
            result.replaced_sources = {source_key(href) for href in [*found.changed, *found.deleted]}
            for href, text in found.changed.items():
                try:
                    calendar = busy.parse(text)
                except busy.MalformedCalendar:
                    continue  # one unreadable event: the others still count
                key = source_key(href)
                result.blocks += [(key, b) for b in busy.blocks(calendar, window_start=start, window_end=end, zone=zone, skip_uid=is_our_uid)]
            results.append(result)
    return results


def _record(connection_id: int, results: list[_CalendarResult], expanded_until: datetime, now: datetime) -> int | None:
    connection = CalendarConnection.objects.select_for_update().select_related("coach").filter(pk=connection_id).first()
    if connection is None:
        return None  # removed while syncing
    calendars = {c.pk: c for c in connection.calendars.filter(pk__in=[r.calendar_id for r in results])}
    new_blocks = []
    for result in results:
        calendar = calendars.get(result.calendar_id)
        if calendar is None or result.unchanged and calendar.expanded_until:
            continue
        blocks = BusyBlock.objects.filter(calendar=calendar)
        if result.full:
            blocks.delete()
            calendar.expanded_until = expanded_until
        elif result.replaced_sources:
            blocks.filter(source__in=result.replaced_sources).delete()
        calendar.sync_token, calendar.last_modified = result.sync_token[:500], result.last_modified[:100]
        calendar.save(update_fields=["sync_token", "last_modified", "expanded_until", "updated_at"])
        new_blocks += [
            BusyBlock(practice_id=connection.practice_id, coach_id=connection.coach.user_id, connection=connection,
                      calendar=calendar, source=source, starts_at=block.starts_at, ends_at=block.ends_at,
                      is_busy=block.is_busy)
            for source, block in result.blocks
        ]
    BusyBlock.objects.bulk_create(new_blocks, batch_size=1000)
    connection.status, connection.failure_reason = CalendarConnection.Status.OK, ""
    connection.last_attempt_at = connection.last_good_sync_at = now
    connection.save(update_fields=["status", "failure_reason", "last_attempt_at", "last_good_sync_at", "updated_at"])
    return BusyBlock.objects.filter(connection=connection, is_busy=True).count()

