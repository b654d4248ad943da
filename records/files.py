"""Files of people's data kept on disk for a short while are encrypted at rest: export ZIPs (7 days;
a coach's holds their private notes) and a coach's private-notes PDF (a day).

They are sealed with the field encryption (coachhub.tenancy.encryption, FIELD_ENCRYPTION_KEYS) before
they reach the storage, and opened only to be handed to the person downloading them. Every key opens
them, so a key put first keeps older files readable; `reseal_stored_files` (run by
`manage.py reencrypt_private_notes`) re-encrypts those still kept under the first key, after which the
old key may be dropped.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse

from coachhub.tenancy import encryption
from coachhub.tenancy.context import require_practice
from records.models import DataExport

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
