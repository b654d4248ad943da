"""One engagement's private coach notes as a PDF, for the coach to answer a request for them
(DESIGN.md: private notes are the coach's alone, so only the coach may export them, audited)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML

from coachhub.tenancy.context import require_practice
from coachhub.tenancy.documents import store_document
from engagements.models import Engagement
from engagements.pdf import LOGO_PATH_PREFIX, PDF_BASE_URL, OwnAssetsOnly
from records.files import seal
from records.selectors import private_notes_sessions, private_notes_storage_path
from sessions import encryption


def render_private_notes_pdf(engagement: Engagement) -> bytes:
    practice = require_practice()
    sessions = [
        {"session": s, "private_notes": encryption.decrypt(s.private_notes_ciphertext) if s.private_notes_ciphertext else ""}
        for s in private_notes_sessions(engagement)
    ]
    html = render_to_string("records/private_notes_pdf.html", {
        "practice": practice, "engagement": engagement, "sessions": sessions,
        "stylesheet": settings.STATIC_URL + "css/measurement-pdf.css",
        "logo_url": LOGO_PATH_PREFIX + practice.logo.name if practice.logo else "",
    })
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=OwnAssetsOnly(practice)).write_pdf()


def store_private_notes_pdf(engagement: Engagement) -> str:
    """Stored encrypted, like exports (records/files.py): it holds the coach's private notes."""
    return store_document(
        private_notes_storage_path(engagement), lambda: seal(render_private_notes_pdf(engagement)), replaces="notes-",
    )
