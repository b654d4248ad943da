"""Building an export: the ZIP of a person's data, stored per practice, and the email with its link.
Only workers (and the export_person command) build: rendering PDFs never happens in a web request."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from coachhub.tenancy.context import require_practice
from coachhub.tenancy.mail import send_email
from coachhub.tenancy.models import Membership
from engagements.models import ContractVersion
from engagements.pdf import store_contract_pdf
from measurement.pdf import store_progress_pdf
from records import contents
from records.files import save_sealed
from coachhub.tenancy.models import token_digest
from records.models import EXPORT_TTL, DataExport


def export_storage_path(export: DataExport, token: str) -> str:
    """Under the practice's own media folder; the name carries part of the token's digest so it is not
    guessable. The file is the ZIP encrypted (records/files.py)."""
    return f"practices/{export.practice_id}/exports/export-{export.pk}-{token_digest(token)[:16]}.zip.enc"


def _render_pdfs(data: contents.PersonData) -> list[contents.ExportFile]:
    """The contract versions they were party to and each coachee engagement's latest progress
    report, rendered (or reused) as the pages' own downloads are."""
    files = []
    for version in data.versions:
        if version.status == ContractVersion.Status.DRAFT or version.purged_at is not None:
            continue
        path = store_contract_pdf(version)
        with default_storage.open(path, "rb") as pdf:
            files.append(contents.ExportFile(
                name=contents.contract_pdf_name(version), about=f"Contract version {version.number} (engagement {version.engagement_id}).",
                pdf=pdf.read(),
            ))
    for engagement in data.coachee_of:
        if engagement.stage not in ("active", "completed"):
            continue
        path = store_progress_pdf(engagement)
        with default_storage.open(path, "rb") as pdf:
            files.append(contents.ExportFile(
                name=contents.progress_pdf_name(engagement),
                about=f"The latest progress report of engagement {engagement.pk}.", pdf=pdf.read(),
            ))
    return files


def export_zip(person, *, generated_at: datetime | None = None) -> bytes:
    """The ZIP of `person`'s data in the current practice (README.txt first)."""
    generated_at = generated_at or timezone.now()
    data = contents.gather(person)
    files = contents.json_files(data) + _render_pdfs(data)
    readme = contents.readme(
        files, person_name=person.get_full_name(), practice_name=require_practice().name, generated_at=generated_at,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        for f in files:
            archive.writestr(f.name, f.content())
    return buffer.getvalue()


def build_export(*, export: DataExport, token: str, base_url: str) -> DataExport:
    """Build and store the ZIP, mark it ready for 7 days, and email the person their link (the caller
    holds the row locked)."""
    if export.status != DataExport.Status.QUEUED:
        return export  # built already (a redelivered task)
    now = timezone.now()
    content = export_zip(export.person, generated_at=now)
    export.file_path, export.size_bytes = save_sealed(export_storage_path(export, token), content), len(content)
    export.status, export.ready_at, export.expires_at = DataExport.Status.READY, now, now + EXPORT_TTL
    export.save(update_fields=["file_path", "size_bytes", "status", "ready_at", "expires_at", "updated_at"])
    # A former member cannot sign in here, so their link would not open: the admin hands the file over.
    is_member = Membership.objects.filter(user=export.person, is_active=True).exists()
    link = base_url.rstrip("/") + reverse("records:download", args=[token]) if is_member else ""
    send_email(to=export.person.email, template_prefix="records/emails/export_ready", context={
        "person": export.person, "link": link, "export": export, "by_admin": export.by_admin,
        "requested_by": export.requested_by,
    })
    return export
