"""Reading back what a contract PDF shows, without a PDF library: WeasyPrint lays the same HTML
out, and its boxes hold the text of every page (margin boxes included)."""

from __future__ import annotations

from engagements import pdf


def rendered_text(version, fetcher=None) -> str:
    """The text of the version's PDF, page by page, as WeasyPrint lays it out (one space between
    the pieces of text, as lines were broken)."""
    document = pdf.contract_document(version, fetcher=fetcher)
    return " ".join(
        " ".join(box.text.split()) for page in document.pages for box in page._page_box.descendants()
        if getattr(box, "text", None)
    )
