"""Serving a stored document (a contract or progress PDF) that a worker renders: the file when it is
there, otherwise one render asked for and a "being prepared" page with 202, never a render in the
web request."""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render


def stored_pdf_or_preparing(
    request: HttpRequest, *, path: str, filename: str, render_later: Callable[[], None], preparing: str, context: dict,
) -> HttpResponse:
    """`path` is per practice and names the document's state, so one render is asked for per state
    however often the waiting page refreshes."""
    if default_storage.exists(path):
        return FileResponse(default_storage.open(path, "rb"), as_attachment=True, content_type="application/pdf",
                            filename=filename)
    if cache.add(f"pdf-requested:{path}", True, timeout=120):
        render_later()
    response = render(request, preparing, context, status=202)
    response["Retry-After"] = "3"
    return response
