"""Time zones in one place: whose zone applies, and how a moment reads in it."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import datetime
from zoneinfo import ZoneInfo


@functools.cache
def known_zones() -> frozenset[str]:
    """IANA zone names (reading them from disk takes milliseconds: once per process)."""
    return frozenset(zoneinfo.available_timezones())


def zone_or_none(name: str | None) -> ZoneInfo | None:
    """The zone called `name` (an IANA name such as Europe/London), or None if unknown."""
    if not name or name not in known_zones():
        return None
    return ZoneInfo(name)


def viewer_zone_name(user, practice) -> str:
    """A signed-in person's own zone, else the practice's, else UTC."""
    return (getattr(user, "time_zone", "") or (practice.time_zone if practice else "") or "UTC")


def describe(moment: datetime, zone_name: str) -> str:
    """'Tuesday 3 December 2026, 10:00 GMT (Europe/London)': the moment in the zone, zone named."""
    local = moment.astimezone(ZoneInfo(zone_name))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} {local.tzname()} ({zone_name})"
