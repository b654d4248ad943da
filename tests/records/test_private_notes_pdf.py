"""The coach exports one engagement's private notes as a PDF (audited); nobody else can, and exports and
those PDFs are deleted by the daily job after their time."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import AuditEntry
from records.models import DataExport
from records.retention import purge_old_exports
from records.selectors import private_notes_storage_path
from tests.conftest import client_at
from tests.records.conftest import coached

pytestmark = pytest.mark.django_db


def test_the_coach_exports_an_engagements_private_notes_as_a_pdf_and_it_is_audited(acme, committed):
    state = coached(acme)
    url = f"/engagements/{state.main.pk}/private-notes/"
    coach = client_at(acme, acme.coach)
    assert url in coach.get(f"/engagements/{state.main.pk}/sessions/").content.decode()
    page = coach.get(url)
    assert page.status_code == 200 and "Export my private notes" in page.content.decode()
    with committed():
        assert coach.post(url).status_code == 302
    download = coach.get(url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages)
    assert "ACME-COACH1-PRIVATE-1" in text and "ACME-COACH1-PRIVATE-3" in text and "ACME-COACH2" not in text
    with practice_context(acme.practice):
        assert AuditEntry.objects.filter(action="records.private_notes_exported", actor=acme.coach,
                                         details__engagement=state.main.pk).exists()


def test_nobody_but_the_engagements_coach_can_export_its_private_notes(acme, globex):
    state = coached(acme)
    url = f"/engagements/{state.main.pk}/private-notes/"
    for someone in (acme.coach2, acme.coachee2, acme.admin, acme.sponsor):
        client = client_at(acme, someone)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert client_at(globex, globex.coach).get(url).status_code == 404
    assert url not in client_at(acme, acme.coachee2).get(f"/engagements/{state.main.pk}/sessions/").content.decode()


def test_the_daily_job_deletes_exports_after_seven_days_and_keeps_the_rest(acme, globex, committed):
    for cast in (acme, globex):
        with committed():
            client_at(cast, cast.coachee2).post("/accounts/data/", {"ask": "export"})
    with committed():
        client_at(acme, acme.coachee).post("/accounts/data/", {"ask": "export"})
    with practice_context(acme.practice):
        old = DataExport.objects.get(person=acme.coachee2)
        fresh = DataExport.objects.get(person=acme.coachee)
        DataExport.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        assert purge_old_exports() == 1
        old.refresh_from_db()
        fresh.refresh_from_db()
    assert old.status == "expired" and not old.file_path
    assert fresh.status == "ready" and default_storage.exists(fresh.file_path)
    with practice_context(globex.practice):
        assert DataExport.objects.get().status == "ready"


def test_the_daily_job_deletes_private_notes_pdfs_after_a_day(acme, committed, settings):
    state = coached(acme)
    with committed():
        client_at(acme, acme.coach).post(f"/engagements/{state.main.pk}/private-notes/")
    with practice_context(acme.practice):
        path = private_notes_storage_path(state.main)
        assert default_storage.exists(path)
        purge_old_exports()
        assert default_storage.exists(path)
        purge_old_exports(now=timezone.now() + timedelta(days=1, minutes=1))
        assert not default_storage.exists(path)


def test_the_purge_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "records.tasks.purge_old_exports_everywhere" in tasks


def test_the_daily_task_purges_every_practice(acme, globex, committed):
    from records.tasks import purge_old_exports_everywhere

    for cast in (acme, globex):
        with committed():
            client_at(cast, cast.coachee2).post("/accounts/data/", {"ask": "export"})
        with practice_context(cast.practice):
            DataExport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    purge_old_exports_everywhere()
    for cast in (acme, globex):
        with practice_context(cast.practice):
            assert DataExport.objects.get().status == "expired"
