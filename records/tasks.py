"""Celery tasks of data rights: load by id, call the builder or the purge; no rules of their own."""

from __future__ import annotations

import logging
from dataclasses import asdict

from celery import shared_task
from django.db import DatabaseError, transaction

from coachhub.accounts.models import User
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice
from coachhub.tenancy.tasks import PracticeTask, PracticeTaskInSteps
from engagements.models import Engagement
from records import retention
from records.files import delete_stored_pdfs, engagements_naming
from records.models import DataExport

logger = logging.getLogger(__name__)


@shared_task(base=PracticeTask, max_retries=3)
def build_export(*, export_id: int, token: str, base_url: str) -> None:
    """Build one export. The row is locked, so a redelivered task waits and then finds it built."""
    export = DataExport.objects.select_for_update(of=("self",)).select_related("person", "requested_by").filter(pk=export_id).first()
    if export is None:
        return  # the person was erased meanwhile: their exports went with them
    from records import building  # WeasyPrint loads where PDFs are rendered, not in web workers

    try:
        with transaction.atomic():
            building.build_export(export=export, token=token, base_url=base_url)
    except Exception:  # noqa: BLE001 - logged; the person sees "failed" and may ask again
        logger.exception("export %s could not be built", export_id)
        DataExport.objects.filter(pk=export_id).update(status=DataExport.Status.FAILED)


@shared_task
def enqueue_retention_purge() -> int:
    """Daily (beat): the retention purge for each practice, suspended ones included."""
    practices = list(Practice.objects.values_list("pk", flat=True))
    for practice_id in practices:
        purge_expired_records.apply_async(kwargs={"practice_id": practice_id})
    return len(practices)


@shared_task(base=PracticeTaskInSteps, autoretry_for=(DatabaseError,))
def purge_expired_records(*, practice_id: int) -> dict:
    """One practice's retention purge, committed engagement by engagement."""
    return asdict(retention.purge_expired_records(practice=Practice.objects.get(pk=practice_id)))


@shared_task(base=PracticeTaskInSteps)
def purge_old_exports(*, practice_id: int) -> int:
    with practice_context(Practice.objects.get(pk=practice_id)):
        return retention.purge_old_exports()


@shared_task
def purge_old_exports_everywhere() -> None:
    """Daily (beat): each active practice's exports past their 7 days are deleted, practice by practice."""
    for practice_id in Practice.objects.filter(suspended_at__isnull=True).values_list("pk", flat=True):
        purge_old_exports.apply_async(kwargs={"practice_id": practice_id})


@shared_task(autoretry_for=(OSError,))
def render_private_notes_pdf(*, engagement_id: int) -> str | None:
    """Render and store one engagement's private coach notes as they are now (idempotent)."""
    from records import pdf  # WeasyPrint loads where PDFs are rendered, not in web workers

    engagement = Engagement.objects.select_related("coachee", "coach").filter(pk=engagement_id).first()
    return pdf.store_private_notes_pdf(engagement) if engagement is not None else None


@shared_task(autoretry_for=(OSError,))
def forget_pdfs_naming(*, user_id: int) -> int:
    """Delete the stored PDFs of every engagement that names the person (after they renamed themselves);
    returns the files deleted."""
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        return 0
    return sum(delete_stored_pdfs(engagement_id) for engagement_id in engagements_naming(person))
