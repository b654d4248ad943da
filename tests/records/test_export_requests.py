"""Asking for an export at /accounts/data/, the emailed link (7 days, for the person only), the admins'
exports for members and former members, and the bad input the issue lists: no 500, a clear message."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import AuditEntry, Membership
from records import services
from records.models import DataExport
from tests.conftest import client_at
from tests.records.conftest import unzip

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+/accounts/data/download/[^\s/]+/")


def ask(client, committed, **data):
    with committed():
        return client.post("/accounts/data/", data or {"ask": "export"}, follow=True)


def link_in_mail(to: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [to])
    return LINK.search(message.body).group(0).split("://", 1)[1].split("/", 1)[1]


def test_a_person_asks_for_their_data_and_downloads_it_by_the_emailed_link(acme, committed):
    client = client_at(acme, acme.coachee2)
    page = ask(client, committed)
    assert "being prepared" in page.content.decode()
    path = "/" + link_in_mail(acme.coachee2.email)
    landing = client.get(path)
    assert landing.status_code == 200 and "Download the ZIP" in landing.content.decode()
    download = client.post(path)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    files = unzip(b"".join(download.streaming_content))
    assert "person.json" in files and "README.txt" in files
    with practice_context(acme.practice):
        export = DataExport.objects.get()
        assert export.status == "ready" and export.expires_at - export.ready_at == timedelta(days=7)
        assert export.file_path.startswith(f"practices/{acme.practice.pk}/exports/")
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"records.export_requested", "records.export_downloaded"} <= actions


def test_the_page_lists_your_exports_and_downloads_them_for_you_only(acme, committed):
    ask(client_at(acme, acme.coachee2), committed)
    with practice_context(acme.practice):
        export = DataExport.objects.get()
    mine = client_at(acme, acme.coachee2)
    assert f"/accounts/data/exports/{export.pk}/" in mine.get("/accounts/data/").content.decode()
    assert mine.post(f"/accounts/data/exports/{export.pk}/").status_code == 200
    assert client_at(acme, acme.coachee).get(f"/accounts/data/exports/{export.pk}/").status_code == 404
    assert client_at(acme, acme.admin).post(f"/accounts/data/exports/{export.pk}/").status_code == 404


def test_two_export_requests_at_once_make_one_export_and_say_so(acme):
    client = client_at(acme, acme.coachee2)
    first = client.post("/accounts/data/", {"ask": "export"}, follow=True)  # its task waits for a commit
    second = client.post("/accounts/data/", {"ask": "export"}, follow=True)
    assert first.status_code == second.status_code == 200
    assert "already being prepared" in second.content.decode()
    with practice_context(acme.practice):
        assert DataExport.objects.count() == 1


def test_another_persons_link_answers_404(acme, committed):
    ask(client_at(acme, acme.coachee2), committed)
    path = "/" + link_in_mail(acme.coachee2.email)
    for someone in (acme.coachee, acme.admin, acme.coach):
        client = client_at(acme, someone)
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    assert client_at(acme).get(path).status_code == 302  # signed out: sign in first


def test_an_expired_link_says_so_clearly(acme, committed):
    client = client_at(acme, acme.coachee2)
    ask(client, committed)
    path = "/" + link_in_mail(acme.coachee2.email)
    with practice_context(acme.practice):
        DataExport.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()


def test_a_link_of_another_practice_answers_404(acme, globex, committed):
    ask(client_at(globex, globex.coachee2), committed)
    path = "/" + link_in_mail(globex.coachee2.email)
    assert client_at(globex, globex.coachee2).get(path).status_code == 200
    assert client_at(acme, acme.coachee2).get(path).status_code == 404
    with practice_context(globex.practice):
        export = DataExport.objects.get()
    assert client_at(acme, acme.admin).post(f"/practice/data-requests/exports/{export.pk}/download/").status_code == 404
    assert client_at(acme, acme.coachee2).get(f"/accounts/data/exports/{export.pk}/").status_code == 404


def test_an_admin_exports_a_former_members_data_and_the_person_is_told(acme, committed):
    with practice_context(acme.practice):
        Membership.objects.filter(user=acme.coachee).update(is_active=False, deactivated_at=timezone.now())
    admin = client_at(acme, acme.admin)
    with committed():
        page = admin.post("/practice/data-requests/", {"person": acme.coachee.pk, "action": "export"}, follow=True)
    assert "being prepared" in page.content.decode()
    told = [m for m in mail.outbox if m.to == [acme.coachee.email]]
    assert len(told) == 1 and "prepared a copy of your data" in told[0].subject
    assert not LINK.search(told[0].body)  # a former member cannot sign in: the admin hands it over
    with practice_context(acme.practice):
        export = DataExport.objects.get()
        assert export.requested_by_id == acme.admin.pk
    listing = admin.get("/practice/data-requests/").content.decode()
    assert f"/practice/data-requests/exports/{export.pk}/download/" in listing
    download = admin.post(f"/practice/data-requests/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert acme.coachee.email in unzip(b"".join(download.streaming_content))["person.json"].decode()
    with practice_context(acme.practice):
        assert AuditEntry.objects.filter(action="records.export_requested", actor=acme.admin, details__by_admin=True).exists()
        assert AuditEntry.objects.filter(action="records.export_downloaded", actor=acme.admin).exists()


def test_export_for_an_email_with_no_membership_is_refused_clearly(acme, globex, tmp_path):
    with pytest.raises(CommandError, match="Nobody with that email address"):
        call_command("export_person", practice="acme", email="nobody@acme.test", out=str(tmp_path / "x.zip"))
    with pytest.raises(CommandError, match="Nobody with that email address"):
        call_command("export_person", practice="acme", email=globex.coachee.email, out=str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()
    admin = client_at(acme, acme.admin)
    page = admin.post("/practice/data-requests/", {"person": globex.coachee.pk, "action": "export"})
    assert page.status_code == 422 and "Select a valid choice" in page.content.decode()
    page = admin.post("/practice/data-requests/", {"person": "not a number", "action": "export"})
    assert page.status_code == 422
    with practice_context(acme.practice):
        assert not DataExport.objects.exists()
        with pytest.raises(Exception, match="Nobody with that email address"):
            services.person_by_email("nobody@acme.test")


def test_the_export_command_writes_the_zip(acme, tmp_path):
    out = tmp_path / "coachee.zip"
    call_command("export_person", practice="acme", email=acme.coachee.email.upper(), out=str(out))
    assert "person.json" in unzip(out.read_bytes())


def test_data_requests_is_for_admins_only(acme):
    for someone in (acme.coach, acme.coachee, acme.sponsor):
        assert client_at(acme, someone).get("/practice/data-requests/").status_code == 404
    assert client_at(acme, acme.admin).get("/practice/data-requests/").status_code == 200


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_pages_keep_a_constant_number_of_queries(acme, committed):
    coachee, admin = client_at(acme, acme.coachee2), client_at(acme, acme.admin)
    ask(coachee, committed)
    mine, requests = _queries(coachee, "/accounts/data/"), _queries(admin, "/practice/data-requests/")
    with practice_context(acme.practice):
        DataExport.objects.update(status="expired")
    for _ in range(4):
        ask(coachee, committed)
        with practice_context(acme.practice):
            DataExport.objects.update(status="expired")
        ask(client_at(acme, acme.coachee), committed)
    assert _queries(coachee, "/accounts/data/") <= mine
    assert _queries(admin, "/practice/data-requests/") <= requests
