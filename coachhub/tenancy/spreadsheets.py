"""CSV downloads that a spreadsheet opens safely: UTF-8 that Excel recognises, no formulas."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_response(rows: Iterable[Iterable], *, filename: str) -> HttpResponse:
    """An attachment of `rows` (header first), every cell formula-safe, never cached."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    # A byte-order mark, so that Excel reads the file as UTF-8 (names with accents) rather than in the
    # machine's legacy code page; other readers skip it.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerows([csv_safe(cell) for cell in row] for row in rows)
    return response
