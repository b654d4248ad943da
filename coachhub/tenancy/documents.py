"""Stored documents (contract and progress PDFs): a worker renders and stores each under a name that
changes with what it shows; a request serves the file when it is there, otherwise asks for one
render and answers a "being prepared" page with 202, never rendering in the web request."""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render


def _requested(path: str) -> str:
    return f"pdf-requested:{path}"


def stored_pdf_or_preparing(
    request: HttpRequest, *, path: str, filename: str, render_later: Callable[[], None], preparing: str, context: dict,
) -> HttpResponse:
    """`path` is per practice and names the document's state, so one render is asked for per state
    however often the waiting page refreshes."""
    if default_storage.exists(path):
        return FileResponse(default_storage.open(path, "rb"), as_attachment=True, content_type="application/pdf",
                            filename=filename)
    if cache.add(_requested(path), True, timeout=120):
        render_later()
    response = render(request, preparing, context, status=202)
    response["Retry-After"] = "3"
    return response


def store_document(path: str, render: Callable[[], bytes], *, replaces: str) -> str:
    """Render and store the document at `path` unless it is there already, then drop the other
    files of its folder whose names start with `replaces` (its earlier states)."""
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(render()))
        if saved != path:  # a concurrent render stored it first
            default_storage.delete(saved)
    directory, name = path.rsplit("/", 1)
    _, files = default_storage.listdir(directory)
    for other in files:
        if other.startswith(replaces) and other != name:
            default_storage.delete(f"{directory}/{other}")
    return path


def delete_document(path: str) -> None:
    """Delete a stored document; the next request for it asks a worker for a render at once (even if one
    was asked for a moment ago, under the same name, before the file was deleted)."""
    default_storage.delete(path)
    cache.delete(_requested(path))
