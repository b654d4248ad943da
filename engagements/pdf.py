"""Contract PDFs, rendered by WeasyPrint from templates/contracts/pdf.html.

WeasyPrint would otherwise fetch whatever a document points at: any URL, any file:// path. It
gets `OwnAssetsOnly` instead, a fetcher that answers for exactly two kinds of address and
refuses every other one without opening anything:
- our own static files (`/static/...`), read from disk through the staticfiles finders or
  STATIC_ROOT, never outside them;
- the current practice's logo, read from the default storage, and no other file there.
Free text is escaped by the template, so it never becomes markup; the fetcher is the second
line: even markup that slipped through could fetch nothing.

PDFs are stored per practice, under a name that changes whenever what the PDF shows changes, so a
stored file is never stale (contract_selectors.pdf_storage_path). Only workers (and the benchmark)
import this module: WeasyPrint takes most of a second to import, which web workers need not pay.
"""

from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

from coachhub.tenancy.context import require_practice
from coachhub.tenancy.documents import store_document
from coachhub.tenancy.models import Practice
from engagements.contract_selectors import (
    canonical_text,
    party_snapshot,
    pdf_storage_path,
    sha256_of,
    version_contents,
)
from engagements.models import Acceptance, ContractVersion, Objective

PDF_HOST = "pdf.coachhub.invalid"  # .invalid never resolves: relative URLs join onto it, nothing more
PDF_BASE_URL = f"https://{PDF_HOST}/"
LOGO_PATH_PREFIX = "/practice-logo/"
STYLESHEET = "css/contract-pdf.css"
ALLOWED_TYPES = {"text/css", "image/png", "image/jpeg", "image/webp", "font/ttf", "font/woff", "font/woff2"}


class RefusedURL(ValueError):
    """An address the contract renderer will not fetch (WeasyPrint logs it and renders on)."""


def _static_file(name: str) -> Path:
    """A static file by its name under STATIC_URL, from the finders or STATIC_ROOT only."""
    if not name or name.startswith(("/", "..")) or posixpath.normpath(name) != name:
        raise RefusedURL(name)
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        raise RefusedURL(name) from None
    if found:
        return Path(found)
    root = Path(settings.STATIC_ROOT).resolve()
    candidate = (root / name).resolve()
    if candidate.is_relative_to(root) and candidate.is_file():
        return candidate
    raise RefusedURL(name)


class OwnAssetsOnly(URLFetcher):
    """WeasyPrint's fetcher for contract PDFs: our static files and this practice's logo, nothing
    else (no network, no file://, no data:). `requested` lists every address asked for."""

    def __init__(self, practice: Practice):
        super().__init__(timeout=1, allowed_protocols=("https",), allow_redirects=False)
        self.practice = practice
        self.requested: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        self.requested.append(url)
        body, content_type = self._resolve(url)
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    def _resolve(self, url: str) -> tuple[bytes, str]:
        parts = urlsplit(url)
        if parts.scheme != "https" or parts.netloc != PDF_HOST or parts.query or parts.fragment:
            raise RefusedURL(url)
        path = unquote(parts.path)
        logo = self.practice.logo.name if self.practice.logo else ""
        if path.startswith(settings.STATIC_URL):
            file = _static_file(path.removeprefix(settings.STATIC_URL))
            body = file.read_bytes()
            content_type = mimetypes.guess_type(file.name)[0] or ""
        elif logo and path == LOGO_PATH_PREFIX + logo:
            with default_storage.open(logo, "rb") as handle:
                body = handle.read()
            content_type = mimetypes.guess_type(logo)[0] or ""
        else:
            raise RefusedURL(url)
        if content_type not in ALLOWED_TYPES:
            raise RefusedURL(url)
        return body, content_type


def contract_html(version: ContractVersion, *, objectives: list[Objective], acceptances: list[Acceptance]) -> str:
    practice = require_practice()
    text_sha256 = version.text_sha256 or sha256_of(canonical_text(version, objectives))
    return render_to_string("contracts/pdf.html", {
        "practice": practice, "version": version, "snapshot": party_snapshot(version),
        "objectives": objectives, "acceptances": acceptances, "text_sha256": text_sha256,
        "stylesheet": settings.STATIC_URL + STYLESHEET,
        "logo_url": LOGO_PATH_PREFIX + practice.logo.name if practice.logo else "",
        "watermark": _watermark(version),
    })


def _watermark(version: ContractVersion) -> str:
    if version.status == ContractVersion.Status.ACCEPTED:
        return ""
    if version.status == ContractVersion.Status.SUPERSEDED and version.is_fully_accepted:
        return "SUPERSEDED"
    return "DRAFT"


def contract_document(version: ContractVersion, *, fetcher: OwnAssetsOnly | None = None) -> Document:
    """The version laid out in pages by WeasyPrint. Pass a fetcher to see what was asked for."""
    objectives, acceptances = version_contents(version)
    html = contract_html(version, objectives=objectives, acceptances=acceptances)
    fetcher = fetcher or OwnAssetsOnly(require_practice())
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher).render()


def render_contract_pdf(version: ContractVersion, *, fetcher: OwnAssetsOnly | None = None) -> bytes:
    """The version as a PDF (bytes)."""
    return contract_document(version, fetcher=fetcher).write_pdf()


def store_contract_pdf(version: ContractVersion) -> str:
    """Render and store the version's PDF unless it is there already; drop its stale ones."""
    return store_document(pdf_storage_path(version), lambda: render_contract_pdf(version), replaces=f"v{version.number}-")
