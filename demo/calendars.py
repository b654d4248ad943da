"""The demo's own calendar: coach@ of acme subscribes to a feed the app serves itself in DEBUG
(demo_board_meetings), a weekly "Board meeting" on Wednesdays 10:00–12:00 London, so the directory
shows those hours busy. Seeding also reads the same feed in-process, so the busy hours show before
the first sync (which `make run`'s beat does every 5 minutes, through the ordinary fetch)."""

from __future__ import annotations

from datetime import date, datetime

from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from coachhub.roster.calendars import busy
from coachhub.roster.calendars.models import BusyBlock, CalendarConnection, ConnectedCalendar
from coachhub.roster.calendars.sync import seal, window
from coachhub.roster.models import CoachProfile

LONDON = ZoneInfo("Europe/London")
FIRST_WEDNESDAY = date(2026, 1, 7)


def board_meetings_ics() -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//CoachHub demo//Board meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Board meetings")
    event = Event()
    event.add("uid", "board-meeting@demo.coachhub")
    event.add("dtstamp", datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")))
    event.add("dtstart", datetime.combine(FIRST_WEDNESDAY, datetime.min.time(), tzinfo=LONDON).replace(hour=10))
    event.add("dtend", datetime.combine(FIRST_WEDNESDAY, datetime.min.time(), tzinfo=LONDON).replace(hour=12))
    event.add("rrule", {"freq": "weekly", "byday": "WE"})
    event.add("summary", "Board meeting")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


FEED_PATH = "/demo/calendars/board-meetings.ics"


def feed_url() -> str:
    """On the bare domain (`localhost` resolves everywhere, practice subdomains may not for the worker)."""
    return f"http://{settings.BASE_DOMAIN}:{settings.WEB_PORT}{FEED_PATH}"


def seed_own_calendar(coach) -> None:
    """coach@'s subscription, with its busy blocks read at once (idempotent)."""
    profile = CoachProfile.objects.get(user=coach)
    if profile.calendar_connections.exists():
        return
    now = timezone.now()
    connection = CalendarConnection.objects.create(
        coach=profile, kind=CalendarConnection.Kind.ICAL, host=settings.BASE_DOMAIN,
        secret_ciphertext=seal({"url": feed_url()}), status=CalendarConnection.Status.OK,
        last_attempt_at=now, last_good_sync_at=now,
    )
    start, end = window(profile.horizon_days, now)
    calendar = ConnectedCalendar.objects.create(connection=connection, url="subscription", name="Board meetings",
                                                expanded_until=end)
    blocks = busy.blocks(busy.parse(board_meetings_ics()), window_start=start, window_end=end, zone=LONDON)
    BusyBlock.objects.bulk_create([
        BusyBlock(practice_id=connection.practice_id, coach_id=coach.pk, connection=connection, calendar=calendar,
                  source="feed", starts_at=b.starts_at, ends_at=b.ends_at, is_busy=b.is_busy)
        for b in blocks
    ])


@require_safe
def board_meetings(request: HttpRequest) -> HttpResponse:
    """The demo feed: served only with DEBUG on (a 404 in production)."""
    if not settings.DEBUG:
        raise Http404
    return HttpResponse(board_meetings_ics(), content_type="text/calendar; charset=utf-8")
