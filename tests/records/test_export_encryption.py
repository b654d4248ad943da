"""Export ZIPs (and a coach's private-notes PDF) are encrypted at rest for the days they are kept, with
the field encryption keys; the download decrypts them. Rotating the keys keeps them readable, and
`reencrypt_private_notes` re-encrypts them so the old key can go."""

from __future__ import annotations

import io
import zipfile

import pytest
from cryptography.fernet import Fernet
from django.core.files.storage import default_storage
from django.core.management import call_command

from coachhub.tenancy.context import practice_context
from records.models import DataExport
from records.selectors import private_notes_storage_path
from tests.conftest import client_at
from tests.records.conftest import coached, unzip

pytestmark = pytest.mark.django_db


def stored_bytes(path: str) -> bytes:
    with default_storage.open(path, "rb") as stored:
        return stored.read()


def exported(cast, committed):
    client = client_at(cast, cast.coach)
    with committed():
        client.post("/accounts/data/", {"ask": "export"})
    with practice_context(cast.practice):
        export = DataExport.objects.get(person=cast.coach)
    assert export.status == "ready"
    return client, export


def download(client, export) -> bytes:
    response = client.post(f"/accounts/data/exports/{export.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip", response.status_code
    return b"".join(response.streaming_content)


def test_the_zip_on_disk_is_encrypted_and_the_download_is_the_zip(acme, committed):
    coached(acme)  # the coach's export holds their private notes
    client, export = exported(acme, committed)
    on_disk = stored_bytes(export.file_path)
    assert not zipfile.is_zipfile(io.BytesIO(on_disk)) and not on_disk.startswith(b"PK")
    assert b"person.json" not in on_disk and b"PRIVATE" not in on_disk
    files = unzip(download(client, export))
    assert "person.json" in files and "ACME-COACH1-PRIVATE-1" in files["coach/session_logs.json"].decode()
    assert export.size_bytes == len(download(client, export))


def test_a_new_key_put_first_keeps_exports_readable_and_rotation_reencrypts_them(acme, committed, settings):
    coached(acme)
    client, export = exported(acme, committed)
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert "person.json" in unzip(download(client, export))
    out = io.StringIO()
    call_command("reencrypt_private_notes", "--practice", "acme", stdout=out)
    assert "acme: 1 stored export(s) and notes PDF(s) re-encrypted" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert "person.json" in unzip(download(client, export))


def test_an_export_whose_key_was_dropped_says_so_clearly(acme, committed, settings):
    client, export = exported(acme, committed)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    response = client.post(f"/accounts/data/exports/{export.pk}/")
    assert response.status_code == 410 and "This export cannot be opened" in response.content.decode()


def test_the_private_notes_pdf_is_encrypted_at_rest_too(acme, committed):
    state = coached(acme)
    url = f"/engagements/{state.main.pk}/private-notes/"
    coach = client_at(acme, acme.coach)
    with committed():
        coach.post(url)
    with practice_context(acme.practice):
        on_disk = stored_bytes(private_notes_storage_path(state.main))
    assert not on_disk.startswith(b"%PDF")
    assert b"".join(coach.get(url).streaming_content).startswith(b"%PDF")
