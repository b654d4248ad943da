"""The one lock order for writes along an engagement.

Every service that locks an engagement or any row under it takes the locks top down:

    1. the engagement                    lock_engagement(), always first
    2. its contract version(s)           engagements/contracting/
    3. a chemistry call, coaching session or measurement point
    4. rows below those                  ratings, actions, log drafts, bookings, reminders

Two transactions that lock in one order can wait for each other but never deadlock; the failure
this rules out is a party's last acceptance (which locked the version, then the engagement) racing
the coach's amendment (the engagement, then the version). Since every such service takes the
engagement first, its lock also serialises them: the second starts once the first has committed,
and reads what it wrote. Rows that belong to no engagement (the practice's contract template and
"worked on" list, a coach's profile, memberships, notification settings) are locked only by
services that lock no engagement.

The lock is FOR NO KEY UPDATE: it excludes the engagement's other writers, yet lets a transaction
insert a row that merely refers to it (a reminder the dispatcher chains, an audit entry), whose
foreign-key check takes only KEY SHARE. A background sweep takes one engagement at a time, each in
its own short transaction (sweep_engagements): it never holds a practice's engagements locked
while it works through them, and one engagement that fails does not undo the others.
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
    the same transaction does not wait. Raises Engagement.DoesNotExist outside the current practice."""
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
