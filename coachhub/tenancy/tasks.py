"""The task base every CoachHub task uses, and the email-sending task."""

from __future__ import annotations

import functools
import logging
from smtplib import SMTPException

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from coachhub.tenancy.context import current_practice, practice_context

logger = logging.getLogger(__name__)


class PracticeTask(DjangoTask):
    """Carries the current practice in the message and runs the task in its context.

    Enqueue with `delay_on_commit` so a task never sees (or misses) rows of a transaction
    that has not committed. The practice is taken when enqueued, not when the commit runs.
    """

    acks_late = True
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
            functools.partial(self.apply_async, args, self._with_practice(kwargs))
        )

    def __call__(self, *args, practice_id: int | None = None, **kwargs):
        from coachhub.tenancy.models import Practice

        practice = Practice.objects.get(pk=practice_id) if practice_id is not None else None
        with practice_context(practice):
            return super().__call__(*args, **kwargs)


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
