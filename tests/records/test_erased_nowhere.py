"""After an erasure, a crawl of every page as every person of the practice finds the erased person's
name, email and free text nowhere: pages, CSVs, downloads, PDFs (their text extracted).

One exception, by law: the contract versions they accepted are kept as accepted (the text and its hash
cannot change, so they still name the parties) while the contract's record-keeping period runs. Those
documents are their pages and PDFs (/contracts/<id>/...); the crawl reads them and checks they are the
only places the name is.

The same for stored files: after erasing each role of the demo, every file under the storage root
(PDFs read as text, exports decrypted and unzipped) is searched for the name and email."""

from __future__ import annotations

import io
import re
import zipfile
from collections import deque
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from coachhub.accounts.models import User
from coachhub.roster.models import Booking
from coachhub.tenancy import encryption
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Membership, Practice, Role
from demo.journey import DEMO_PASSWORD, PRACTICES
from engagements.models import Acceptance, ContractVersion, Engagement
from measurement.models import Rating
from records.files import engagements_naming
from records.models import DataExport, ErasureRequest
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


# --- Stored files: every file under the storage root, after erasing each role of the demo ----------------


def readable(content: bytes) -> str:
    """A stored file as text: a PDF's text, a ZIP's members (each read the same way), a sealed file
    opened first; anything else as bytes decoded."""
    if content.startswith(b"%PDF"):
        return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    if zipfile.is_zipfile(io.BytesIO(content)):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(readable(archive.read(name)) for name in archive.namelist())
    try:
        return readable(encryption.decrypt_bytes(content))
    except encryption.Unreadable:
        return content.decode(errors="ignore")


def stored_texts(root: Path) -> dict[str, str]:
    """Every file under the storage root (enumerated, not a list of known places): path → its text."""
    files = (path for path in sorted(root.rglob("*")) if path.is_file())
    return {str(path.relative_to(root)): readable(path.read_bytes()) for path in files}


def mentions(text: str, *needles: str) -> bool:
    return any(needle.lower() in text.lower() for needle in needles)


def erasable_demo(practice: Practice, people: dict) -> None:
    """The demo with its coaching over (engagements completed or closed, nothing booked ahead) and a second
    admin, so that each of its people may be erased; a sponsor's comment names the coachee in full."""
    now = timezone.now()
    with practice_context(practice):
        Engagement.objects.filter(stage=Engagement.Stage.ACTIVE).update(
            stage=Engagement.Stage.COMPLETED, completed_at=now,
        )
        Engagement.objects.filter(stage__in=[Engagement.Stage.CHEMISTRY, Engagement.Stage.CONTRACTING]).update(
            stage=Engagement.Stage.CLOSED,
        )
        Booking.objects.filter(is_active=True, starts_at__gt=now).update(is_active=False)
        Membership.objects.create(user=people["coach3"], role=Role.ADMIN)
        coachee = people["coachee"]
        Rating.objects.filter(point__engagement__coachee=coachee, role="sponsor").update(
            comment=f"{coachee.full_name.upper()} ran the review; ask {coachee.email} for the notes.",
        )


def store_every_file(practice: Practice, people: list) -> None:
    """What the pages and workers would have stored by now: each engagement's contract and progress PDFs,
    the coaches' private-notes PDFs, and an export of each person's data."""
    from engagements.pdf import store_contract_pdf
    from measurement.pdf import store_progress_pdf
    from records.building import build_export
    from records.pdf import store_private_notes_pdf

    with practice_context(practice):
        for version in ContractVersion.objects.exclude(status=ContractVersion.Status.DRAFT):
            store_contract_pdf(version)
        completed = Engagement.objects.filter(stage=Engagement.Stage.COMPLETED).select_related("coachee", "coach")
        for engagement in completed:
            store_progress_pdf(engagement)
            store_private_notes_pdf(engagement)
        for person in people:
            token, digest = DataExport.new_token()
            export = DataExport.objects.create(person=person, requested_by=person, token_digest=digest)
            build_export(export=export, token=token, base_url="http://acme.localhost/")


def downloaded(client, url: str, committed) -> tuple[int, str]:
    """A PDF download as a person makes it: asked for, rendered by the worker, then served."""
    with committed():
        first = client.get(url)
    if first.status_code == 202:
        first = client.get(url)
    return first.status_code, _text(first) if first.status_code == 200 else ""


def test_erasing_each_demo_role_leaves_their_name_and_email_in_no_stored_file(settings, media_root, committed):
    """coachee, coach, sponsor, admin of the demo, erased one after the other: before each erasure every
    file is stored (and the search finds them); after it, no file under the storage root holds their name or
    email, and the PDFs of their engagements download again for everyone else, without them. The contract
    versions they were party to are the lawful exception (see the module's docstring): rendered again, their
    acceptance record shows the label, and the name stands only where the accepted text froze it."""
    call_command("seed_demo", stdout=StringIO())
    practice = Practice.objects.get(slug="acme")
    with practice_context(practice):
        people = {local: User.objects.get(email=f"{local}@acme.example") for local in PRACTICES["acme"]["people"]}
    erasable_demo(practice, people)
    remaining = ["coachee", "coach", "sponsor", "admin", "coach3"]
    downloads = 0
    for role in ("coachee", "coach", "sponsor", "admin"):
        person = people[role]
        name, email = person.full_name, person.email
        remaining.remove(role)
        store_every_file(practice, [people[local] for local in [role, *remaining]])
        before = stored_texts(media_root)
        assert any(mentions(text, name) for text in before.values()), f"no stored file names the {role} before"
        with practice_context(practice):
            engagements = engagements_naming(person)
            versions = list(
                ContractVersion.objects.filter(engagement__in=engagements).exclude(status=ContractVersion.Status.DRAFT)
            )
        admin = people["admin"] if role != "admin" else people["coach3"]
        client = Client(HTTP_HOST=practice.host)
        assert client.post("/accounts/login/", {"login": admin.email, "password": DEMO_PASSWORD}).status_code == 302
        with committed():
            assert client.post(f"/practice/data-requests/people/{person.pk}/erase/").status_code == 302
        with practice_context(practice):
            label = ErasureRequest.objects.get(person=person, status=ErasureRequest.Status.ERASED).label

        after = stored_texts(media_root)
        assert not [path for path, text in after.items() if mentions(text, name, email)], role

        for viewer in remaining:
            viewer_client = Client(HTTP_HOST=practice.host)
            login = {"login": people[viewer].email, "password": DEMO_PASSWORD}
            assert viewer_client.post("/accounts/login/", login).status_code == 302
            for engagement_id in engagements:
                status, text = downloaded(viewer_client, f"/engagements/{engagement_id}/progress/report.pdf", committed)
                assert status in (200, 404), (viewer, engagement_id, status)
                if status == 200:
                    downloads += 1
                    assert not mentions(text, name, email), (role, viewer, engagement_id)
            for version in versions:
                status, text = downloaded(viewer_client, f"/contracts/{version.pk}/pdf/", committed)
                assert status in (200, 404), (viewer, version.pk, status)
                if status == 200:
                    downloads += 1
                    assert text.count(name) <= 1 and text.count(email) <= 1, (role, viewer, version.pk)
        for path, text in stored_texts(media_root).items():
            if "/contracts/" in path:
                assert text.count(name) <= 1 and text.count(email) <= 1, (role, path)
            else:
                assert not mentions(text, name, email), (role, path)
        with practice_context(practice):
            answered = {(a.version.engagement_id, a.version.number) for a in Acceptance.objects.filter(party=person)
                        .select_related("version")}
        for path, text in stored_texts(media_root).items():
            # practices/<p>/contracts/<engagement>/v<number>-<state>.pdf: a version they answered shows the label
            parts = re.match(r"practices/\d+/contracts/(\d+)/v(\d+)-", path)
            if parts and (int(parts[1]), int(parts[2])) in answered:
                assert label in text, (role, path)
    assert downloads >= 10  # the re-rendered files were really downloaded, by several people
