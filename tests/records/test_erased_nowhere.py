"""After an erasure, a crawl of every page as every person of the practice finds the erased person's
name, email and free text nowhere: pages, CSVs, downloads, PDFs (their text extracted).

One exception, by law: the contract versions they accepted are kept as accepted (the text and its hash
cannot change, so they still name the parties) while the contract's record-keeping period runs. Those
documents are their pages and PDFs (/contracts/<id>/...); the crawl reads them and checks they are the
only places the name is."""

from __future__ import annotations

import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from pypdf import PdfReader

from tests.conftest import client_at
from tests.records.conftest import coached

pytestmark = pytest.mark.django_db

KEPT_CONTRACT_RECORD = re.compile(r"^/(contracts/\d+/(pdf/|verify/)?|engagements/\d+/contract/)$")
MAX_PAGES = 200


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _text(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in content_type:
        return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    return body.decode(errors="replace")


def crawl(client, host: str, start: tuple[str, ...] = ()) -> dict[str, str]:
    """Every page reachable over same-host links from the home page and `start` (GET only): path → its text."""
    queue, seen, pages = deque(["/", *start]), {"/", *start}, {}
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code in (301, 302, 303):
            links = [response["Location"]]
        else:
            text = _text(response)
            pages[path] = text
            if "html" not in response.get("Content-Type", ""):
                continue
            parser = _Links()
            parser.feed(text)
            links = parser.links
        for href in links:
            url = urldefrag(urljoin(f"http://{host}{path}", href))[0]
            parts = urlsplit(url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.hostname != host or target in seen or target.startswith(settings.STATIC_URL):
                continue
            if "logout" in target:
                continue
            seen.add(target)
            queue.append(target)
    assert len(pages) < MAX_PAGES, "the crawl was cut short"
    return pages


def test_an_erased_persons_name_email_and_free_text_are_nowhere_for_anyone(acme):
    state = coached(acme)
    cast = acme
    person = cast.coachee2
    name, email = person.full_name, person.email
    # Completed engagements are not on the home pages: start from theirs too, as a bookmark would.
    start = tuple(
        f"/engagements/{e.pk}/{page}/" for e in (state.main, state.other) for page in ("sessions", "progress", "contract")
    )
    wrote = ["ACME-COACHEE2-OBJECTIVES", "ACME-COACHEE2-HOPES", "ACME-COACHEE2-REFLECTION", "ACME-COACHEE2-RATING-COMMENT"]
    notes = ["ACME-COACH1-PRIVATE"]
    # Before: the crawl does find them (so it looks in the right places).
    before = "\n".join(crawl(client_at(cast, cast.coach), cast.host, start).values())
    assert name in before and "ACME-COACH1-PRIVATE" in before and "ACME-COACHEE2-SUMMARY" in before
    own = "\n".join(crawl(client_at(cast, person), cast.host, start).values())
    assert "ACME-COACHEE2-REFLECTION" in own and email in own

    assert client_at(cast, cast.admin).post(f"/practice/data-requests/people/{person.pk}/erase/").status_code == 302

    found = []
    for viewer in (cast.admin, cast.coach, cast.coach2, cast.coachee, cast.sponsor):
        pages = crawl(client_at(cast, viewer), cast.host, start)
        assert len(pages) > 5
        if viewer == cast.admin:
            assert "/practice/audit/" in pages and "/practice/data-requests/" in pages
        for path, text in pages.items():
            for needle in [name, email, *wrote, *notes]:
                if needle in text and not (needle in (name, email) and KEPT_CONTRACT_RECORD.match(path)):
                    found.append(f"{viewer.email} sees {needle!r} on {path}")
    assert not found, "\n".join(found)
    assert state.main.pk  # the engagement itself is kept (anonymised), for the dashboards' counts
