"""A small CalDAV (RFC 4791) client: just what CoachHub needs, every request through the guarded
`fetch.request` (address checked, no blind redirects, size and time limited).

Discovery walks principal → calendar home → collections (RFC 5397, RFC 4791 §6.2.1); sync uses
the collection's sync token (RFC 6578), so an unchanged calendar costs one request, and reads the
changed events in one calendar-multiget; servers without sync tokens are listed by ETag instead.
Write-back PUTs (and DELETEs) one event per UID. XML answers are parsed with the standard library
(expat refuses entity expansion bombs) after the size limit.

Why not the `caldav` package: it requires niquests, whose urllib3-future rewrites the installed
`urllib3` at every interpreter start, which breaks `requests`-based tools (schemathesis) here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.etree import ElementTree

from coachhub.roster.calendars.fetch import Answer, CalendarFetchError, check_url, raise_for_status, request

DAV, CALDAV = "DAV:", "urn:ietf:params:xml:ns:caldav"
NS = {"d": DAV, "c": CALDAV}
XML = {"Content-Type": "application/xml; charset=utf-8"}


@dataclass(frozen=True)
class FoundCalendar:
    url: str
    name: str


@dataclass
class CalendarChanges:
    """What a sync found in one calendar: the new token, whether it started over, changed and gone objects."""

    sync_token: str
    full: bool
    changed: dict[str, str] = field(default_factory=dict)  # href → iCalendar text
    deleted: set[str] = field(default_factory=set)


class Client:
    """One account on one server; `with client(...) as dav:` for symmetry with a pooled session."""

    def __init__(self, *, url: str, username: str, password: str):
        self.url = url
        self.auth = (username, password) if username else None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, method: str, url: str, *, body: str | None = None, depth: str | None = None,
             headers: dict[str, str] | None = None) -> Answer:
        sent = {**(headers or {})}
        if depth is not None:
            sent["Depth"] = depth
        return request(method, urljoin(self.url, url), auth=self.auth, headers=sent,
                       body=body.encode() if body is not None else None)

    def xml(self, method: str, url: str, body: str, *, depth: str | None) -> ElementTree.Element:
        answer = self.send(method, url, body=body, depth=depth, headers=XML)
        raise_for_status(answer.status)
        return _parse(answer.body)


def _parse(body: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError:
        raise CalendarFetchError("The calendar server gave an answer that is not CalDAV.") from None


def _propfind(*props: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            f"<d:prop>{''.join(props)}</d:prop></d:propfind>")


def _href(root: ElementTree.Element, path: str) -> str | None:
    found = root.find(f".//d:response/d:propstat/d:prop/{path}/d:href", NS)
    return found.text.strip() if found is not None and found.text else None


def client(*, url: str, username: str, password: str) -> Client:
    check_url(url)
    return Client(url=url, username=username, password=password)


def discover(*, url: str, username: str, password: str) -> list[FoundCalendar]:
    """The event calendars of the account: principal → calendar home → collections."""
    dav = client(url=url, username=username, password=password)
    root = dav.xml("PROPFIND", url, _propfind("<d:current-user-principal/>"), depth="0")
    principal = _href(root, "d:current-user-principal") or url
    root = dav.xml("PROPFIND", principal, _propfind("<c:calendar-home-set/>"), depth="0")
    home = _href(root, "c:calendar-home-set")
    if home is None:
        raise CalendarFetchError("The server does not say where this account's calendars are: is it a CalDAV address?")
    root = dav.xml("PROPFIND", home, _propfind("<d:resourcetype/>", "<d:displayname/>", "<c:supported-calendar-component-set/>"),
                   depth="1")
    found = []
    for response in root.findall("d:response", NS):
        href = response.findtext("d:href", default="", namespaces=NS).strip()
        prop = response.find("d:propstat/d:prop", NS)
        if prop is None or prop.find("d:resourcetype/c:calendar", NS) is None:
            continue
        components = {c.get("name", "").upper() for c in prop.findall("c:supported-calendar-component-set/c:comp", NS)}
        if components and "VEVENT" not in components:
            continue  # task lists, journals
        name = (prop.findtext("d:displayname", default="", namespaces=NS) or "").strip()
        found.append(FoundCalendar(url=urljoin(dav.url, href), name=(name or unquote(href.rstrip("/").rsplit("/", 1)[-1]))[:200]))
    return found


SYNC = ('<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token>'
        "<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>")
MULTIGET = ('<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            "<d:prop><d:getetag/><c:calendar-data/></d:prop>{hrefs}</c:calendar-multiget>")


def changes(dav: Client, *, calendar_url: str, sync_token: str) -> CalendarChanges:
    """What changed in one calendar since `sync_token` (everything when empty or no longer known)."""
    if sync_token.startswith("etags-"):
        listing = _etag_listing(dav, calendar_url)
        token = "etags-" + hashlib.sha256(repr(sorted(listing.items())).encode()).hexdigest()
        if token == sync_token:
            return CalendarChanges(sync_token=token, full=False)
        return _with_data(dav, calendar_url, CalendarChanges(sync_token=token, full=True), list(listing))
    answer = dav.send("REPORT", calendar_url, body=SYNC.format(token=_escape(sync_token)), depth="0", headers=XML)
    if answer.status in {403, 409, 412} and sync_token and b"valid-sync-token" in answer.body:
        return changes(dav, calendar_url=calendar_url, sync_token="")  # the server forgot the token: start over
    if answer.status in {400, 403, 405, 415, 501} and not sync_token:
        return changes(dav, calendar_url=calendar_url, sync_token="etags-")  # no sync tokens on this server
    raise_for_status(answer.status)
    root = _parse(answer.body)
    found = CalendarChanges(sync_token=(root.findtext("d:sync-token", default="", namespaces=NS) or "").strip(),
                            full=not sync_token)
    changed = []
    for response in root.findall("d:response", NS):
        href = _path(response.findtext("d:href", default="", namespaces=NS))
        status = response.findtext("d:status", default="", namespaces=NS)
        if " 404 " in status or status.endswith(" 404"):
            found.deleted.add(href)
        elif href.endswith("/") or not href:
            continue  # the collection itself
        else:
            changed.append(href)
    return _with_data(dav, calendar_url, found, changed)


def _with_data(dav: Client, calendar_url: str, found: CalendarChanges, hrefs: list[str]) -> CalendarChanges:
    if not hrefs:
        return found
    body = MULTIGET.format(hrefs="".join(f"<d:href>{_escape(quote(h))}</d:href>" for h in hrefs))
    root = dav.xml("REPORT", calendar_url, body, depth="1")
    for response in root.findall("d:response", NS):
        data = response.findtext("d:propstat/d:prop/c:calendar-data", default="", namespaces=NS)
        if data:
            found.changed[_path(response.findtext("d:href", default="", namespaces=NS))] = data
    return found


def _etag_listing(dav: Client, calendar_url: str) -> dict[str, str]:
    root = dav.xml("PROPFIND", calendar_url, _propfind("<d:getetag/>"), depth="1")
    listing = {}
    for response in root.findall("d:response", NS):
        href = _path(response.findtext("d:href", default="", namespaces=NS))
        if href and not href.endswith("/"):
            listing[href] = response.findtext("d:propstat/d:prop/d:getetag", default="", namespaces=NS)
    return listing


def _path(href: str) -> str:
    return unquote(urlsplit(href.strip()).path)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def event_url(calendar_url: str, uid: str) -> str:
    return urljoin(calendar_url if calendar_url.endswith("/") else calendar_url + "/", quote(uid, safe="") + ".ics")


def put_event(dav: Client, *, calendar_url: str, uid: str, ical: str) -> None:
    """Create or replace one event, stored under its UID."""
    answer = dav.send("PUT", event_url(calendar_url, uid), body=ical, headers={"Content-Type": "text/calendar; charset=utf-8"})
    raise_for_status(answer.status)


def delete_event(dav: Client, *, calendar_url: str, uid: str) -> None:
    answer = dav.send("DELETE", event_url(calendar_url, uid))
    if answer.status != 404:  # already gone
        raise_for_status(answer.status)
