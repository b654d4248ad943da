"""Exports are kept 7 days: the daily job deletes older files (the rows stay, marked expired)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice
from records.models import EXPORT_TTL, DataExport

PRIVATE_NOTES_PDF_TTL = timedelta(days=1)


def purge_old_exports(*, now: datetime | None = None) -> int:
    """Delete the files of this practice's exports past their 7 days (and of queued ones stuck for
    as long); the rows stay as `expired`, a record that an export was made. Returns exports purged."""
    now = now or timezone.now()
    require_practice()
    stale = DataExport.objects.filter(
        Q(status=DataExport.Status.READY, expires_at__lte=now)
        | Q(status__in=[DataExport.Status.QUEUED, DataExport.Status.FAILED], created_at__lte=now - EXPORT_TTL)
    )
    _purge_private_notes_pdfs(now)
    purged = 0
    for export in stale:
        if export.file_path:
            default_storage.delete(export.file_path)
        DataExport.objects.filter(pk=export.pk).update(status=DataExport.Status.EXPIRED, file_path="", updated_at=now)
        purged += 1
    if purged:
        audit.record(actor=None, action="records.exports_purged", subject="Data exports older than 7 days", exports=purged)
    return purged


def _purge_private_notes_pdfs(now: datetime) -> None:
    """A coach's private-notes PDF is for one request: deleted the day after it was made."""
    folder = f"practices/{require_practice().pk}/private-notes"
    if not default_storage.exists(folder):
        return
    engagements, _ = default_storage.listdir(folder)
    for engagement in engagements:
        _, files = default_storage.listdir(f"{folder}/{engagement}")
        for name in files:
            path = f"{folder}/{engagement}/{name}"
            if default_storage.get_modified_time(path) <= now - PRIVATE_NOTES_PDF_TTL:
                default_storage.delete(path)
