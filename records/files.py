"""The files the practice stores about people, and what happens to them when a person leaves.

Every stored file that names a person is one of these (coach photos and the practice's logo aside,
which erasure and the profile pages handle):
- an engagement's PDFs, rendered by workers from the database: contract versions
  (`practices/<p>/contracts/<engagement>/`), progress and final reports (`.../progress/<engagement>/`)
  and the coach's private-notes PDF (`.../private-notes/<engagement>/`). Each is stored under a name
  that hashes what it shows, the people's names included, so a stored one is never served stale;
  `delete_stored_pdfs` removes them (a download then renders them afresh);
- data exports (`.../exports/`), ZIPs of one person's data as it was when built.

`forget_files_naming` is what erasure does to them (records/anonymising.py, in its transaction).

Files of people's data kept on disk for a short while are encrypted at rest: export ZIPs (7 days;
a coach's holds their private notes) and a coach's private-notes PDF (a day).

They are sealed with the field encryption (coachhub.tenancy.encryption, FIELD_ENCRYPTION_KEYS) before
they reach the storage, and opened only to be handed to the person downloading them. Every key opens
them, so a key put first keeps older files readable; `reseal_stored_files` (run by
`manage.py reencrypt_private_notes`) re-encrypts those still kept under the first key, after which the
old key may be dropped.
"""

from __future__ import annotations

import io
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse

from coachhub.tenancy import encryption
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.documents import delete_document
from engagements.models import Acceptance, ContractVersion, Engagement
from records.models import DataExport

# Where workers store an engagement's PDFs (engagements.contract_selectors.pdf_storage_path,
# measurement.selectors.progress_storage_path, records.selectors.private_notes_storage_path).
PDF_FOLDERS = ("contracts", "progress", "private-notes")

Unreadable = encryption.Unreadable


def seal(content: bytes) -> bytes:
    return encryption.encrypt_bytes(content)


def save_sealed(path: str, content: bytes) -> str:
    """Store `content` encrypted at `path` (a new name if taken); returns the name stored."""
    return default_storage.save(path, ContentFile(seal(content)))


def open_sealed(path: str, *, what: str) -> bytes:
    """The file's content, decrypted; Unreadable when no configured key opens it."""
    with default_storage.open(path, "rb") as stored:
        return encryption.decrypt_bytes(stored.read(), what=what)


def sealed_download(path: str, *, what: str, filename: str, content_type: str) -> FileResponse:
    """The file decrypted in memory and streamed to the browser as an attachment."""
    return FileResponse(io.BytesIO(open_sealed(path, what=what)), as_attachment=True, filename=filename,
                        content_type=content_type)


def _reseal(path: str) -> None:
    with default_storage.open(path, "rb") as stored:
        resealed = encryption.reencrypt_bytes(stored.read())
    with default_storage.open(path, "wb") as stored:
        stored.write(resealed)


def reseal_stored_files() -> int:
    """Re-encrypt the current practice's stored exports and private-notes PDFs under the first key (key
    rotation). Returns the files re-encrypted."""
    paths = [
        path for path in DataExport.objects.filter(status=DataExport.Status.READY).exclude(file_path="")
        .values_list("file_path", flat=True) if default_storage.exists(path)
    ]
    folder = f"practices/{require_practice().pk}/private-notes"
    if default_storage.exists(folder):
        for engagement in default_storage.listdir(folder)[0]:
            paths += [f"{folder}/{engagement}/{name}" for name in default_storage.listdir(f"{folder}/{engagement}")[1]]
    for path in paths:
        _reseal(path)
    return len(paths)


def delete_stored_pdfs(engagement_id: int) -> int:
    """The engagement's stored PDFs (they carry its text and names); a page asking again renders anew.
    Returns the files deleted."""
    deleted = 0
    for kind in PDF_FOLDERS:
        folder = f"practices/{require_practice().pk}/{kind}/{engagement_id}"
        if not default_storage.exists(folder):
            continue
        for name in default_storage.listdir(folder)[1]:
            delete_document(f"{folder}/{name}")
            deleted += 1
    return deleted


def engagements_naming(person) -> list[int]:
    """The engagements whose PDFs may name `person`: as their coachee, coach or sponsor, as a party of
    one of their contract versions (a sponsor replaced by an amendment included), or as one who answered
    a version. A fixed number of queries."""
    as_party = Q(coachee=person) | Q(coach=person) | Q(sponsor=person)
    ids = set(Engagement.objects.filter(as_party).values_list("pk", flat=True))
    ids |= set(ContractVersion.objects.filter(as_party).values_list("engagement_id", flat=True))
    ids |= set(Acceptance.objects.filter(party=person).values_list("version__engagement_id", flat=True))
    return sorted(ids)


def forget_files_naming(person, *, now: datetime) -> None:
    """Erasure's part for stored files, in its transaction: the PDFs of every engagement that names
    `person` are deleted (the next download renders them with the label; contract versions kept by law
    still show the names frozen in them), and every export of the practice is withdrawn (the caller has
    deleted their own). An export is a copy of what its owner could see when it was built: which ones
    mention the erased person cannot be told without reading each, and the owner may ask for a new one at
    once.

    Done in the transaction rather than after it, so nothing with the old name is on disk once erasure
    returns; if the transaction rolls back, the PDFs are rendered again from the unchanged records and the
    withdrawn exports can be asked for again. A render running at the same moment reads the records as
    they were and stores its file under a name that hashes the old names, which no download asks for
    again (and the next render of that engagement deletes it). The export rows are locked first, so an
    export being built is waited for and then withdrawn."""
    for engagement_id in engagements_naming(person):
        delete_stored_pdfs(engagement_id)
    exports = list(
        DataExport.objects.select_for_update()
        .filter(status__in=[DataExport.Status.QUEUED, DataExport.Status.READY]).order_by("pk")
    )
    withdrawn = [export.pk for export in exports if export.status == DataExport.Status.READY]
    for export in exports:
        if export.status == DataExport.Status.READY and export.file_path:
            default_storage.delete(export.file_path)
    DataExport.objects.filter(pk__in=withdrawn).update(status=DataExport.Status.EXPIRED, file_path="", updated_at=now)
