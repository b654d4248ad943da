"""Writes about a coach's own calendars: connecting (which discovers and tests), choosing which
calendars count as busy and which one receives bookings, pausing, removing, asking for a sync.

Connecting talks to the server before anything is saved (so a wrong password is a message next to
the field, not a broken connection); the first sync runs after commit. Credentials are sealed at
once and never returned. Every change leaves an audit row naming the host, never the secret.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction

from coachhub.roster.calendars import busy, dav
from coachhub.roster.calendars.fetch import CalendarFetchError, check_url, fetch_ical
from coachhub.roster.calendars.models import BusyBlock, CalendarConnection, ConnectedCalendar
from coachhub.roster.calendars.sync import seal, secrets_of
from coachhub.roster.meeting_links import meeting_link
from coachhub.roster.models import CoachProfile
from coachhub.roster.calendars.writeback import Meeting
from coachhub.roster.tasks import sync_calendar_connection, write_back_event
from coachhub.tenancy import audit, encryption

MAX_CONNECTIONS = 10


def _check_room(profile: CoachProfile) -> None:
    if profile.calendar_connections.count() >= MAX_CONNECTIONS:
        raise ValidationError(f"You can connect up to {MAX_CONNECTIONS} calendars; remove one first.")


def _enqueue_sync(connection: CalendarConnection) -> None:
    sync_calendar_connection.delay_on_commit(connection_id=connection.pk)


@transaction.atomic
def connect_caldav(*, profile: CoachProfile, actor, url: str, username: str, password: str,
                   calendar_name: str = "") -> CalendarConnection:
    """Connect a CalDAV account: discover its calendars (all count as busy), bookings go to
    `calendar_name` (or the first one). ValidationError keyed by the field at fault otherwise."""
    _check_room(profile)
    try:
        url = check_url(url)
    except CalendarFetchError as error:
        raise ValidationError({"url": str(error)}) from None
    if not password:
        raise ValidationError({"password": "Enter the app password your calendar provider gave you."})
    try:
        found = dav.discover(url=url, username=username, password=password)
    except CalendarFetchError as error:
        field = "password" if "sign-in" in str(error) else "url"
        raise ValidationError({field: str(error)}) from None
    if not found:
        raise ValidationError({"url": "The server has no event calendars for this account."})
    chosen = found[0]
    if calendar_name:
        matches = [c for c in found if c.name.casefold() == calendar_name.casefold()]
        if not matches:
            names = ", ".join(c.name for c in found)
            raise ValidationError({"calendar": f"No calendar named {calendar_name!r} here; found: {names}."})
        chosen = matches[0]
    connection = CalendarConnection.objects.create(
        coach=profile, kind=CalendarConnection.Kind.CALDAV, host=urlsplit(url).hostname or "",
        username=username[:255], secret_ciphertext=seal({"url": url, "password": password}),
    )
    ConnectedCalendar.objects.bulk_create([
        ConnectedCalendar(practice_id=connection.practice_id, connection=connection, url=c.url[:2000], name=c.name,
                          counts_as_busy=True, receives_bookings=c == chosen)
        for c in found
    ])
    audit.record(actor=actor, action="calendar.connected", subject=connection, kind="caldav",
                 calendars=len(found))
    _enqueue_sync(connection)
    return connection


@transaction.atomic
def connect_ical(*, profile: CoachProfile, actor, url: str) -> CalendarConnection:
    """Subscribe to an iCalendar address (read only): fetched once to check it is a calendar."""
    _check_room(profile)
    try:
        url = check_url(url)
        calendar = busy.parse(fetch_ical(url).body)
    except (CalendarFetchError, busy.MalformedCalendar) as error:
        raise ValidationError({"url": str(error)}) from None
    name = str(calendar.get("X-WR-CALNAME", "") or "Subscribed calendar")[:200]
    connection = CalendarConnection.objects.create(
        coach=profile, kind=CalendarConnection.Kind.ICAL, host=urlsplit(url).hostname or "",
        secret_ciphertext=seal({"url": url}),
    )
    ConnectedCalendar.objects.create(connection=connection, url="subscription", name=name, counts_as_busy=True)
    audit.record(actor=actor, action="calendar.connected", subject=connection, kind="ical")
    _enqueue_sync(connection)
    return connection


@transaction.atomic
def choose_calendars(*, connection: CalendarConnection, actor, busy_ids: set[int], write_back_id: int | None) -> None:
    """Which calendars count as busy, and which (CalDAV only) receives bookings. Unticked
    calendars' busy blocks go at once; newly ticked ones are read by the sync this asks for."""
    calendars = list(connection.calendars.select_for_update())
    ids = {c.pk for c in calendars}
    if write_back_id is not None and (write_back_id not in ids or connection.kind != CalendarConnection.Kind.CALDAV):
        raise ValidationError("Choose one of this connection's calendars for your bookings.")
    for calendar in calendars:
        counts = calendar.pk in busy_ids
        if calendar.counts_as_busy and not counts:
            BusyBlock.objects.filter(calendar=calendar).delete()
        if counts and not calendar.counts_as_busy:
            calendar.sync_token, calendar.expanded_until = "", None
        calendar.counts_as_busy, calendar.receives_bookings = counts, calendar.pk == write_back_id
        calendar.save()
    audit.record(actor=actor, action="calendar.calendars_chosen", subject=connection,
                 busy=len(busy_ids & ids), write_back=write_back_id is not None)
    _enqueue_sync(connection)


@transaction.atomic
def pause_connection(*, connection: CalendarConnection, actor, paused: bool) -> None:
    """A paused connection is not synced and its busy blocks do not count (nor is anything written to it)."""
    CalendarConnection.objects.filter(pk=connection.pk).update(is_paused=paused)
    connection.is_paused = paused
    audit.record(actor=actor, action="calendar.paused" if paused else "calendar.resumed", subject=connection)
    if not paused:
        _enqueue_sync(connection)


@transaction.atomic
def remove_connection(*, connection: CalendarConnection, actor) -> None:
    """Forget the connection, its credentials and every busy block read from it."""
    subject, people = connection.audit_subject()  # its id is gone with it
    connection.delete()
    audit.record(actor=actor, action="calendar.removed", subject=subject, people=people)


def test_connection(*, connection: CalendarConnection) -> str:
    """Ask the server again (sign-in, calendars still there); a message for the coach either way."""
    secrets = secrets_of(connection)
    try:
        if connection.kind == CalendarConnection.Kind.CALDAV:
            found = dav.discover(url=secrets["url"], username=connection.username, password=secrets.get("password", ""))
            return f"The connection works: {len(found)} calendar(s) found."
        busy.parse(fetch_ical(secrets["url"]).body)
        return "The connection works: the subscription answers with a calendar."
    except (CalendarFetchError, busy.MalformedCalendar) as error:
        raise ValidationError(str(error)) from None
    except encryption.Unreadable:
        raise ValidationError("The stored credentials cannot be read any more: remove this connection and add it again.") from None


def request_sync(*, connection: CalendarConnection) -> None:
    """"Sync now": a sync task after this request commits."""
    _enqueue_sync(connection)


@transaction.atomic
def reencrypt_calendar_credentials() -> int:
    """Re-encrypt every calendar credential of the current practice under the first key (key rotation)."""
    count = 0
    for connection in CalendarConnection.objects.select_for_update().exclude(secret_ciphertext=""):
        connection.secret_ciphertext = encryption.reencrypt(connection.secret_ciphertext)
        connection.save(update_fields=["secret_ciphertext", "updated_at"])
        count += 1
    return count


def _booking_calendars(coach_id: int):
    """The calendars the coach chose for bookings, on connections that are not paused."""
    return ConnectedCalendar.objects.filter(
        receives_bookings=True, connection__coach__user_id=coach_id, connection__is_paused=False,
        connection__kind=CalendarConnection.Kind.CALDAV,
    )


def queue_write_back(*, coach_id: int, meeting: Meeting, except_urls: frozenset[str] = frozenset()) -> int:
    """Queue the meeting's write into each calendar the coach chose for bookings (after commit),
    but those at `except_urls`. Returns how many writes were queued."""
    calendars = [pk for pk, url in _booking_calendars(coach_id).values_list("pk", "url") if url not in except_urls]
    location = meeting.location
    if calendars and not location:
        location = meeting_link(CoachProfile.objects.filter(user_id=coach_id).first(), uid=meeting.uid)
    for calendar_id in calendars:
        write_back_event.delay_on_commit(
            calendar_id=calendar_id, uid=meeting.uid, sequence=meeting.sequence,
            starts_at=meeting.starts_at.isoformat(), ends_at=meeting.ends_at.isoformat(),
            kind=meeting.kind, location=location, cancelled=meeting.cancelled,
        )
    return len(calendars)


def queue_reassignment(*, previous_coach_id: int, coach_id: int, meeting: Meeting) -> int:
    """A meeting handed to another coach: deleted from the first coach's chosen calendars, written
    into the new coach's. A calendar both chose (the same address, e.g. a shared one) only gets the
    new write, so the two tasks cannot race to leave it without the event. Returns the writes queued."""
    theirs = frozenset(_booking_calendars(coach_id).values_list("url", flat=True))
    gone = queue_write_back(coach_id=previous_coach_id, meeting=replace(meeting, cancelled=True), except_urls=theirs)
    return gone + queue_write_back(coach_id=coach_id, meeting=meeting)
