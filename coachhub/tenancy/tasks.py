"""The task base every CoachHub task uses, and the email-sending task."""

from __future__ import annotations

import functools
import logging
import time
from smtplib import SMTPException

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from coachhub.tenancy.context import current_practice, practice_context

logger = logging.getLogger(__name__)

BROKER_RETRY_AFTER_SECONDS = 30


class PracticeTask(DjangoTask):
    """Carries the current practice in the message and runs the task in its context.

    Enqueue with `delay_on_commit` so a task never sees (or misses) rows of a transaction
    that has not committed. The practice is taken when enqueued, not when the commit runs.
    """

    acks_late = True
    _broker_down_until = 0.0  # monotonic time; see _enqueue_or_run_here
    # `practice_id` rides in every call's kwargs and is consumed by __call__, so Celery's
    # check of the kwargs against the function's own signature would reject it.
    typing = False
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8

    def _with_practice(self, kwargs: dict | None) -> dict:
        kwargs = dict(kwargs or {})
        if "practice_id" not in kwargs:
            practice = current_practice()
            kwargs["practice_id"] = practice.pk if practice else None
        return kwargs

    def apply_async(self, args=None, kwargs=None, **options):
        return super().apply_async(args, self._with_practice(kwargs), **options)

    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(
            functools.partial(self._enqueue_or_run_here, args, self._with_practice(kwargs))
        )

    def _enqueue_or_run_here(self, args, kwargs) -> None:
        """After commit, hand the task to the broker. With the broker refusing connections the
        request must not fail (its work is committed): say so and run the task here instead, late
        rather than never; if that fails too, say so rather than raise. A refused connection costs
        seconds (the client's own retries), so for a while after one this process does not ask again."""
        if time.monotonic() >= PracticeTask._broker_down_until:
            try:
                self.apply_async(args, kwargs, retry=False)
                return
            except (KombuOperationalError, RedisError, OSError) as error:
                PracticeTask._broker_down_until = time.monotonic() + BROKER_RETRY_AFTER_SECONDS
                logger.warning("broker unavailable (%s): running %s in this process instead", error, self.name)
        else:
            logger.warning("broker unavailable (seen in the last %d s): running %s in this process instead",
                           BROKER_RETRY_AFTER_SECONDS, self.name)
        try:
            self.apply(args, kwargs, throw=True)
        except Exception:  # noqa: BLE001 - logged with its traceback, never raised into the request
            logger.exception("task %s could not run without the broker; it was not done", self.name)

    def __call__(self, *args, practice_id: int | None = None, **kwargs):
        from coachhub.tenancy.models import Practice

        practice = Practice.objects.get(pk=practice_id) if practice_id is not None else None
        with practice_context(practice):
            return super().__call__(*args, **kwargs)


class PracticeTaskInSteps(PracticeTask):
    """A PracticeTask (its practice rides in the message) whose body enters the practice's context
    itself, around each of its short transactions, instead of running whole inside one: a sweep
    commits engagement by engagement. The body takes `practice_id` as a keyword."""

    def __call__(self, *args, practice_id: int | None = None, **kwargs):
        return super(PracticeTask, self).__call__(*args, practice_id=practice_id, **kwargs)


@shared_task(autoretry_for=(SMTPException, OSError))
def deliver_email(
    *, to: list[str], subject: str, text: str, html: str | None = None,
    from_email: str | None = None, headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, str]] | None = None,
) -> None:
    """Hand one rendered message to the email backend (SMTP in production).

    `attachments` are (filename, text, mimetype), e.g. a calendar invite.
    """
    message = EmailMultiAlternatives(subject, text, from_email, to, headers=headers or {})
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    message.send()
    logger.info("email sent: %r to %d recipient(s)", subject, len(to))
