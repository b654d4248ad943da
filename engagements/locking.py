"""The one lock order for writes along an engagement.

Every service that changes an engagement or anything under it takes its row locks top down:

    1. the engagement                    lock_engagement(), always first
    2. its contract version(s)           engagements/contracting.py
    3. a chemistry call, coaching session or measurement point
    4. rows below those                  ratings, actions, log drafts, bookings, reminders

Two transactions that lock in the same order can wait for each other but never deadlock; the
classic failure it rules out is a party's last acceptance (which used to lock the version, then
the engagement) racing the coach's amendment (engagement, then version). Since every writer of an
engagement's rows takes the engagement first, the engagement lock also serialises them: the
second writer starts once the first has committed and reads what it wrote.

The lock is FOR NO KEY UPDATE: it excludes the other writers of the engagement, but lets a
transaction insert a row that merely refers to it (a reminder, an audit trail entry), whose
foreign-key check takes only KEY SHARE. A service that locks nothing else may skip the engagement;
one that locks anything below it takes the engagement first, even when it only reads it.
A background sweep takes one engagement at a time, each in its own short transaction
(sweep_engagements), so it never holds a practice's engagements locked while it works through them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice
from engagements.models import Engagement

logger = logging.getLogger(__name__)

T = TypeVar("T")


def lock_engagement(engagement_id: int) -> Engagement:
    """The engagement, re-read under its row lock (with its coachee and coach). Taking it again in
    the same transaction is free. Raises Engagement.DoesNotExist outside the current practice."""
    return (
        Engagement.objects.select_for_update(of=("self",), no_key=True)
        .select_related("coachee", "coach").get(pk=engagement_id)
    )


def sweep_engagements(
    practice: Practice, engagement_ids: Iterable[int], step: Callable[[Engagement], T], *, sweep: str,
) -> list[T]:
    """Run `step` on each engagement, locked, in its own transaction in the practice's context, and
    return what the steps that succeeded returned. A step that fails is rolled back and logged, and
    the sweep goes on: one engagement's problem never holds back the others' due work. (Inside an
    open transaction, as in tests, each step is a savepoint of it instead.)"""
    results = []
    for engagement_id in engagement_ids:
        try:
            with practice_context(practice):
                results.append(step(lock_engagement(engagement_id)))
        except Exception:  # noqa: BLE001 - logged with its traceback; the other engagements still get done
            logger.exception("%s: engagement %s failed and was rolled back; the sweep goes on", sweep, engagement_id)
    return results
