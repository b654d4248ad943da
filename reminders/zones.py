"""Whose wall clock a reminder follows: `zone_for` each recipient, loaded for a batch at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from coachhub.accounts.models import User
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.timezones import zone_for

_known: ContextVar[dict[int, str] | None] = ContextVar("reminder_zones", default=None)


def zones_of(user_ids: Iterable[int]) -> dict[int, str]:
    """Each person's zone (`zone_for`), in one query whatever their number."""
    user_ids = set(user_ids)
    practice = require_practice()
    people = {user.pk: user for user in User.objects.filter(pk__in=user_ids).only("pk", "time_zone")}
    return {user_id: zone_for(people.get(user_id), practice) for user_id in user_ids}


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
