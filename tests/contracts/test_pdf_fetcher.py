"""WeasyPrint fetches nothing but our own static files (and the practice's logo): not the file
system, not the network. Free text is escaped first; the fetcher refuses even if it were not."""

from __future__ import annotations

import io
import select
import socket

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from coachhub.tenancy.models import ClientOrganisation
from engagements.contracting import answers, drafts
from engagements import pdf
from engagements.models import ContractVersion
from tests.contracts.conftest import BASE_URL, draft, send
from tests.contracts.pdf_text import rendered_text

pytestmark = pytest.mark.django_db

STYLESHEET_URL = f"https://{pdf.PDF_HOST}/static/{pdf.STYLESHEET}"


@pytest.fixture
def listener():
    """A TCP listener on a loopback port: any fetch of http://127.0.0.1:<port>/ would reach it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def connections_received(server: socket.socket) -> int:
    count = 0
    while select.select([server], [], [], 0.2)[0]:
        server.accept()[0].close()
        count += 1
    return count


def short_payload(port: int) -> str:
    """For fields of 150 characters (names)."""
    return f'<img src="file:///etc/passwd"><link rel=stylesheet href=http://127.0.0.1:{port}/n.css>'


def payload(port: int) -> str:
    return (
        '<img src="file:///etc/passwd">'
        f'<img src="http://127.0.0.1:{port}/pixel.png">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/evil.css">'
        f'<style>@import url("http://127.0.0.1:{port}/import.css");</style>'
        '<script>alert(1)</script>'
    )


@pytest.fixture
def hostile_version(acme, engagement, listener, in_practice) -> ContractVersion:
    """A sent version with the payload in every free-text field: the eight sections, each
    objective's description and measure, the people's names, the organisation's name, and a
    change request's comment."""
    text, short = payload(listener.getsockname()[1]), short_payload(listener.getsockname()[1])
    for person in (acme.coachee2, acme.coach, acme.sponsor):
        person.full_name = f"Name {short}"
        person.save()
    with in_practice(acme):
        ClientOrganisation.objects.filter(pk=acme.organisation.pk).update(name=f"Organisation {short}")
    version = draft(acme, engagement, changes={f"section_{key}": f"Section {text}" for key, _, _ in
                                              ContractVersion().sections()})
    with in_practice(acme):
        drafts.update_contract_draft(version=version, actor=acme.coach, changes={}, objectives=[{
            "description": f"Objective {text}", "success_measure": f"Measure {text}",
            "rated_by_coachee": True, "rated_by_coach": True, "rated_by_sponsor": True, "baseline": 5, "target": 8,
        }])
    version = send(acme, version)
    with in_practice(acme):
        answers.request_contract_changes(
            version=version, party=acme.sponsor, text_sha256=version.text_sha256, ip_address="203.0.113.9",
            comment=f"Comment {text}", base_url=BASE_URL,
        )
        return ContractVersion.objects.get(pk=version.pk)


def test_a_contract_full_of_markup_fetches_only_our_stylesheet_and_renders_it_as_text(acme, hostile_version, listener, in_practice):
    fetcher = pdf.OwnAssetsOnly(acme.practice)
    with in_practice(acme):
        document = pdf.render_contract_pdf(hostile_version, fetcher=fetcher)
        text = rendered_text(hostile_version)
    assert document.startswith(b"%PDF-")
    assert fetcher.requested == [STYLESHEET_URL]
    assert connections_received(listener) == 0
    port = listener.getsockname()[1]
    for shown in ('<img src="file:///etc/passwd">', f'<link rel="stylesheet" href="http://127.0.0.1:{port}/evil.css">',
                  "<script>alert(1)</script>", "Section <img", "Objective <img", "Measure <img", "Comment <img",
                  "Name <img", "Organisation <img"):
        assert shown in text, shown
    assert text.count('<img src="file:///etc/passwd">') >= 8  # every section at least (table cells may wrap it)
    assert "root:x:0:0" not in text


def test_the_pdf_file_itself_shows_the_markup_as_text(acme, hostile_version, in_practice):
    with in_practice(acme):
        document = pdf.render_contract_pdf(hostile_version)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    assert 'file:///etc/passwd' in text and "<script>alert(1)</script>" in text
    assert "root:x:0:0" not in text


def test_even_unescaped_markup_fetches_nothing(acme, listener):
    """The second line: if markup ever reached WeasyPrint unescaped, the fetcher still refuses."""
    port = listener.getsockname()[1]
    fetcher = pdf.OwnAssetsOnly(acme.practice)
    html = (
        f'<html><head><link rel="stylesheet" href="{pdf.PDF_BASE_URL}static/{pdf.STYLESHEET}">'
        f'{payload(port)}<style>body {{ background: url("http://127.0.0.1:{port}/bg.png"); }}</style></head>'
        f'<body><p>Hello</p>{payload(port)}<img src="/static/../../../../etc/passwd">'
        f'<img src="https://{pdf.PDF_HOST}/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd"></body></html>'
    )
    document = HTML(string=html, base_url=pdf.PDF_BASE_URL, url_fetcher=fetcher).write_pdf()
    assert document.startswith(b"%PDF-")
    assert connections_received(listener) == 0
    assert f"http://127.0.0.1:{port}/pixel.png" in fetcher.requested  # asked for, and refused
    assert any(url.startswith("file:") for url in fetcher.requested)


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:9/x.css",
    "https://example.com/static/css/contract-pdf.css",
    f"http://{pdf.PDF_HOST}/static/css/contract-pdf.css",
    f"https://{pdf.PDF_HOST}/static/../../etc/passwd",
    f"https://{pdf.PDF_HOST}/static/%2e%2e/%2e%2e/etc/passwd",
    f"https://{pdf.PDF_HOST}/static//etc/passwd",
    f"https://{pdf.PDF_HOST}/static/css/contract-pdf.css?x=1",
    f"https://{pdf.PDF_HOST}/static/js/booking.js",
    f"https://{pdf.PDF_HOST}/etc/passwd",
    f"https://{pdf.PDF_HOST}/practice-logo/practices/1/branding/logo.png",
    "data:text/css,body{}",
    "ftp://127.0.0.1/x",
])
def test_the_fetcher_refuses_everything_but_our_own_assets(acme, url):
    with pytest.raises(pdf.RefusedURL):
        pdf.OwnAssetsOnly(acme.practice).fetch(url)


def test_the_fetcher_reads_our_stylesheet_from_disk(acme):
    response = pdf.OwnAssetsOnly(acme.practice).fetch(STYLESHEET_URL)
    assert response.content_type == "text/css" and b"@page" in response.read()
