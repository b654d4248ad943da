"""Whose wall clock a reminder follows: a coach's profile zone, else the person's own, else the practice's."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from coachhub.accounts.models import User
from coachhub.roster.models import CoachProfile
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.timezones import zone_or_none

_known: ContextVar[dict[int, str] | None] = ContextVar("reminder_zones", default=None)


def zones_of(user_ids: Iterable[int]) -> dict[int, str]:
    """Each person's zone, in two queries whatever their number."""
    user_ids = set(user_ids)
    practice = require_practice()
    zones = {user_id: practice.time_zone or "UTC" for user_id in user_ids}
    for user_id, zone in User.objects.filter(pk__in=user_ids).exclude(time_zone="").values_list("pk", "time_zone"):
        if zone_or_none(zone):
            zones[user_id] = zone
    for user_id, zone in CoachProfile.objects.filter(user_id__in=user_ids).values_list("user_id", "time_zone"):
        if zone_or_none(zone):
            zones[user_id] = zone
    return zones


def zone_of_user_id(user_id: int) -> str:
    known = _known.get()
    if known is not None and user_id in known:
        return known[user_id]
    return zones_of([user_id])[user_id]


@contextmanager
def known_zones(zones: dict[int, str]) -> Iterator[None]:
    """Within the block, zone_of_user_id answers from `zones` (the dispatcher loads them per batch)."""
    token = _known.set(zones)
    try:
        yield
    finally:
        _known.reset(token)
