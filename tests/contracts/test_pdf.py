"""Contract PDFs: rendered by a worker when a version is sent or answered, stored per practice,
served to the parties and the practice's admins, and to nobody else."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from engagements import pdf
from engagements.contract_selectors import pdf_storage_path
from engagements.models import ContractVersion
from tests.conftest import client_at
from tests.contracts.conftest import (
    accept,
    accepted_by_all,
    draft,
    matched_engagement,
    other_sponsor,
    sent,
)
from tests.contracts.pdf_text import rendered_text

pytestmark = pytest.mark.django_db


def stored_pdfs(media_root: Path) -> list[str]:
    return sorted(str(path.relative_to(media_root)) for path in media_root.rglob("*.pdf"))


def test_sending_renders_the_pdf_in_a_worker_and_stores_it_per_practice(acme, engagement, committed, media_root, in_practice):
    with committed():
        version = sent(acme, engagement)
    with in_practice(acme):
        assert stored_pdfs(media_root) == [pdf_storage_path(ContractVersion.objects.get(pk=version.pk))]
    assert stored_pdfs(media_root)[0].startswith(f"practices/{acme.practice.pk}/contracts/{engagement.pk}/v1-")


def test_an_answer_re_renders_the_pdf_and_drops_the_stale_one(acme, engagement, committed, media_root, in_practice):
    with committed():
        version = sent(acme, engagement)
    before = stored_pdfs(media_root)
    with committed():
        accept(acme, version, acme.coachee2)
    after = stored_pdfs(media_root)
    assert len(after) == 1 and after != before


def test_a_download_serves_the_stored_file(acme, engagement, committed):
    with committed():
        version = sent(acme, engagement)
    response = client_at(acme, acme.coachee2).get(f"/contracts/{version.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="coaching-contract-' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_missing_pdf_is_prepared_by_a_worker_while_the_page_answers_202(acme, engagement, committed, media_root):
    version = sent(acme, engagement)  # outside `committed`: no worker has rendered it
    client = client_at(acme, acme.coach)
    with committed():
        waiting = client.get(f"/contracts/{version.pk}/pdf/")
    assert waiting.status_code == 202 and waiting["Retry-After"] == "3"
    assert "being prepared" in waiting.content.decode()
    assert len(stored_pdfs(media_root)) == 1
    assert client.get(f"/contracts/{version.pk}/pdf/").status_code == 200


def test_the_pdf_shows_parties_package_sections_objectives_record_and_page_numbers(acme, engagement, in_practice):
    version = accepted_by_all(acme, engagement, objectives=2)
    with in_practice(acme):
        text = rendered_text(ContractVersion.objects.get(pk=version.pk))
    for expected in (
        "Acme Coaching", acme.coachee2.full_name, acme.coach.full_name, acme.sponsor.full_name, acme.organisation.name,
        "Every three weeks", "90 minutes", "1. Objectives", "6. Support and challenge",
        "8. Record keeping", "Objective number 2", "trust score up from 5 to 7", "Acceptance record", "203.0.113.7",
        version.text_sha256[:20], "Page 1 of",
    ):
        assert expected in text, expected
    assert "DRAFT" not in text


def test_a_draft_watermark_stays_until_every_party_has_accepted(acme, engagement, in_practice):
    version = sent(acme, engagement, sponsor=False)
    accept(acme, version, acme.coach)
    with in_practice(acme):
        assert "DRAFT" in rendered_text(ContractVersion.objects.get(pk=version.pk))
    accept(acme, version, acme.coachee2)
    with in_practice(acme):
        assert "DRAFT" not in rendered_text(ContractVersion.objects.get(pk=version.pk))


def tiny_png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "#1f5f8b").save(buffer, "PNG")
    return buffer.getvalue()


def test_the_pdf_carries_the_practices_logo_and_no_other_file_of_the_storage(acme, engagement, in_practice):
    from django.core.files.base import ContentFile

    acme.practice.logo.save("logo.png", ContentFile(tiny_png()), save=True)
    version = draft(acme, engagement)
    fetcher = pdf.OwnAssetsOnly(acme.practice)
    with in_practice(acme):
        pdf.render_contract_pdf(ContractVersion.objects.get(pk=version.pk), fetcher=fetcher)
        logo_url = f"https://{pdf.PDF_HOST}{pdf.LOGO_PATH_PREFIX}{acme.practice.logo.name}"
        assert logo_url in fetcher.requested
        assert fetcher._resolve(logo_url) == (tiny_png(), "image/png")
        with pytest.raises(pdf.RefusedURL):
            fetcher._resolve(f"https://{pdf.PDF_HOST}{pdf.LOGO_PATH_PREFIX}practices/{acme.practice.pk}/contracts/x.pdf")
    default_storage.delete(acme.practice.logo.name)


@pytest.mark.parametrize(("who", "allowed"), [
    ("coachee2", True), ("coach", True), ("sponsor", True), ("admin", True),
    ("coach2", False), ("coachee", False), ("other_sponsor", False),
])
def test_only_parties_and_admins_can_download_the_pdf(acme, engagement, who, allowed):
    version = sent(acme, engagement)
    user = other_sponsor(acme) if who == "other_sponsor" else getattr(acme, who)
    status = client_at(acme, user).get(f"/contracts/{version.pk}/pdf/").status_code
    assert status in (200, 202) if allowed else status == 404


def test_a_sponsor_who_is_not_a_party_of_this_version_gets_404(acme, engagement):
    version = sent(acme, engagement, sponsor=False)
    assert client_at(acme, acme.sponsor).get(f"/contracts/{version.pk}/pdf/").status_code == 404
    assert client_at(acme, acme.sponsor).get(f"/contracts/{version.pk}/").status_code == 404
    assert client_at(acme, acme.sponsor).get(f"/engagements/{engagement.pk}/contract/").status_code == 404


def test_another_practice_gets_404_for_the_pdf(acme, globex, engagement):
    version = sent(acme, engagement)
    assert client_at(globex, globex.admin).get(f"/contracts/{version.pk}/pdf/").status_code == 404
    assert client_at(globex, globex.coach).get(f"/contracts/{version.pk}/").status_code == 404


def test_signing_in_is_needed_for_a_pdf(acme, engagement):
    version = sent(acme, engagement)
    response = Client(HTTP_HOST=acme.host).get(f"/contracts/{version.pk}/pdf/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_worker_renders_only_within_its_own_practice(acme, globex, engagement, in_practice):
    from engagements.tasks import render_contract_pdf

    version = sent(acme, engagement)
    assert render_contract_pdf.apply(kwargs={"version_id": version.pk, "practice_id": globex.practice.pk}).get() is None
    path = render_contract_pdf.apply(kwargs={"version_id": version.pk, "practice_id": acme.practice.pk}).get()
    assert path.startswith(f"practices/{acme.practice.pk}/contracts/")


def test_pdfs_of_another_engagement_are_listed_apart(acme, engagement, committed, media_root):
    other = matched_engagement(acme, coachee=acme.coachee)
    with committed():
        sent(acme, engagement)
        sent(acme, other)
    assert {Path(p).parent.name for p in stored_pdfs(media_root)} == {str(engagement.pk), str(other.pk)}


def test_refreshing_the_waiting_page_asks_for_one_render_only(acme, engagement, monkeypatch):
    from engagements import contract_views

    version = sent(acme, engagement)
    asked = []
    monkeypatch.setattr(contract_views.render_contract_pdf, "delay_on_commit", lambda **kwargs: asked.append(kwargs))
    client = client_at(acme, acme.coachee2)
    assert [client.get(f"/contracts/{version.pk}/pdf/").status_code for _ in range(3)] == [202, 202, 202]
    assert asked == [{"version_id": version.pk}]
