"""Progress report PDFs, rendered by WeasyPrint from templates/measurement/pdf.html.

The same rule as contract PDFs: WeasyPrint fetches through `engagements.pdf.OwnAssetsOnly` (our
static files and the practice's logo, nothing else), and free text (objectives, comments) is
escaped by the template. Charts are the pages' own inline SVG (measurement.charts), which asks for
no address. The report shows closed points only: an open point's ratings are never in it.

Stored per practice under a name that changes whenever what the report shows changes
(`progress_storage_path`), so a stored file is never stale. Only workers and the benchmark
import this module (WeasyPrint is slow to import).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML

from coachhub.tenancy.context import require_practice
from coachhub.tenancy.documents import store_document
from engagements.models import Engagement
from engagements.pdf import LOGO_PATH_PREFIX, PDF_BASE_URL, OwnAssetsOnly
from measurement.selectors import progress_for, progress_storage_path

STYLESHEET = "css/measurement-pdf.css"


def progress_html(engagement: Engagement) -> str:
    practice = require_practice()
    progress = progress_for(engagement, None, compact=False)
    return render_to_string("measurement/pdf.html", {
        "practice": practice, "engagement": engagement, "progress": progress, "contract": progress.contract,
        "stylesheet": settings.STATIC_URL + STYLESHEET,
        "logo_url": LOGO_PATH_PREFIX + practice.logo.name if practice.logo else "",
        "final": engagement.stage == Engagement.Stage.COMPLETED,
    })


def render_progress_pdf(engagement: Engagement, *, fetcher: OwnAssetsOnly | None = None) -> bytes:
    """The engagement's progress report (the final report once it is completed), as PDF bytes."""
    fetcher = fetcher or OwnAssetsOnly(require_practice())
    return HTML(string=progress_html(engagement), base_url=PDF_BASE_URL, url_fetcher=fetcher).write_pdf()


def store_progress_pdf(engagement: Engagement) -> str:
    """Render and store the report unless it is there already; drop the engagement's stale ones."""
    return store_document(progress_storage_path(engagement), lambda: render_progress_pdf(engagement), replaces="progress-")
