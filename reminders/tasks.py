"""Celery tasks: the beat's sweep over practices, one practice's dispatch of reminders and nominee emails.

Each task runs in its practice's context (PracticeTask, the default task class), so it sees only
that practice's rows; the sweep runs as the platform and only enqueues. The dispatch enters its
practice's context itself, around each short transaction (PracticeTaskInSteps): the outbox commits
its claim before it talks to the mail server and marks each message sent on its own.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from reminders import dispatch, stakeholders
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice
from coachhub.tenancy.tasks import PracticeTaskInSteps

logger = logging.getLogger(__name__)


def _enqueue_where_due(due_count, task) -> int:
    """`task` for each active practice whose `due_count()` (read in its context) is not zero."""
    enqueued = 0
    for practice in Practice.objects.filter(suspended_at__isnull=True).order_by("pk"):
        with practice_context(practice):
            due = due_count()
        if due:
            task.apply_async(kwargs={"practice_id": practice.pk})
            enqueued += 1
    return enqueued


@shared_task
def enqueue_due_reminders() -> int:
    """Every minute (beat): a dispatch task for each active practice that has something due."""
    return _enqueue_where_due(dispatch.due_count, dispatch_due_reminders)


@shared_task(base=PracticeTaskInSteps, autoretry_for=(DatabaseError,))
def dispatch_due_reminders(*, practice_id: int) -> dict:
    """One batch of a practice's due reminders; runs again at once after a full batch."""
    practice = Practice.objects.get(pk=practice_id)
    outcome = dispatch.dispatch_due(
        practice=practice, batch_size=getattr(settings, "REMINDERS_BATCH_SIZE", dispatch.BATCH_SIZE),
    )
    if outcome.full_batch:
        dispatch_due_reminders.delay_on_commit(practice_id=practice.pk)
    return {"claimed": outcome.claimed, "sent": outcome.sent, "skipped": outcome.skipped}


@shared_task
def enqueue_nominee_messages() -> int:
    """Every minute (beat): a dispatch of stakeholder nominees' emails for each practice with some due."""
    return _enqueue_where_due(stakeholders.due_count, dispatch_nominee_messages)


@shared_task(base=PracticeTaskInSteps, autoretry_for=(DatabaseError,))
def dispatch_nominee_messages(*, practice_id: int) -> dict:
    """One batch of a practice's due nominee emails; runs again at once after a full batch."""
    practice = Practice.objects.get(pk=practice_id)
    outcome = stakeholders.dispatch_nominee_messages(practice=practice)
    if outcome.full_batch:
        dispatch_nominee_messages.delay_on_commit(practice_id=practice.pk)
    return {"claimed": outcome.claimed, "sent": outcome.sent, "skipped": outcome.skipped}
