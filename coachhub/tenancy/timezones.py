"""Time zones in one place: whose zone applies, and how a moment reads in it."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import datetime
from zoneinfo import ZoneInfo

from coachhub.tenancy.context import current_practice


@functools.cache
def known_zones() -> frozenset[str]:
    """IANA zone names (reading them from disk takes milliseconds: once per process)."""
    return frozenset(zoneinfo.available_timezones())


def zone_or_none(name: str | None) -> ZoneInfo | None:
    """The zone called `name` (an IANA name such as Europe/London), or None if unknown."""
    if not name or name not in known_zones():
        return None
    return ZoneInfo(name)


def zone_for(person, practice=None) -> str:
    """Whose wall clock a person reads, everywhere (pages, emails, invites, reminders): their own
    zone (their account's setting; a coach's follows their working zone unless they chose another),
    else the practice's (default: the current one), else UTC."""
    own = getattr(person, "time_zone", "") if person is not None else ""
    if zone_or_none(own):
        return own
    practice = practice if practice is not None else current_practice()
    return practice.time_zone if practice is not None and zone_or_none(practice.time_zone) else "UTC"


def describe(moment: datetime, zone_name: str) -> str:
    """'Tuesday 3 December 2026, 10:00 GMT (Europe/London)': the moment in the zone, zone named."""
    local = moment.astimezone(ZoneInfo(zone_name))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} {local.tzname()} ({zone_name})"
