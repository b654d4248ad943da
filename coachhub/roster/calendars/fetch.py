"""Fetching coaches' calendars from the server side, safely: the addresses are typed by people, so
each fetch is a request-forgery risk.

Only http(s), no credentials in the URL, a size limit and timeouts, no redirects followed blindly,
and addresses that resolve to loopback, private, link-local, shared or metadata ranges are refused
unless CALENDAR_ALLOW_PRIVATE_HOSTS is true (a closed network, the tests, the demo). Cloud metadata
addresses are refused even then. Messages never repeat the URL (a subscription's address is its secret).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

# Instance metadata services (AWS, GCP, Azure, Oracle, Alibaba; AWS's IPv6 one): never fetched.
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254"),
}
MAX_REDIRECTS = 3
USER_AGENT = "CoachHub calendar sync"


class CalendarFetchError(Exception):
    """A calendar could not be reached or read; the message is for the coach (no URL, no secret)."""


@dataclass(frozen=True)
class Fetched:
    body: bytes
    etag: str
    last_modified: str
    not_modified: bool = False


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return True
    return not address.is_global and not settings.CALENDAR_ALLOW_PRIVATE_HOSTS


def check_url(url: str) -> str:
    """The URL if it may be fetched; CalendarFetchError saying why not otherwise."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise CalendarFetchError("That is not a valid web address.") from None
    if parts.scheme not in {"http", "https"}:
        raise CalendarFetchError("Only http:// and https:// calendar addresses can be used.")
    if parts.username or parts.password:
        raise CalendarFetchError("Leave the user name and password out of the address; use the fields for them.")
    if not parts.hostname:
        raise CalendarFetchError("That address has no server name.")
    try:
        infos = socket.getaddrinfo(parts.hostname, port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise CalendarFetchError("The calendar server's name could not be found.") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if _refused(address):
            raise CalendarFetchError(
                "That address points into a private network (loopback, private, link-local or metadata "
                "addresses are refused)."
            )
    return url


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def request(method: str, url: str, *, auth: tuple[str, str] | None = None, headers: dict[str, str] | None = None,
            body: bytes | str | None = None, follow_redirects: int = 0) -> Answer:
    """One HTTP request to a calendar server, within the rules above: the address checked (again at
    every redirect followed, at most `follow_redirects`), connect/read timeouts, the whole answer
    within three timeouts and CALENDAR_MAX_BYTES. Network trouble becomes CalendarFetchError."""
    limit = settings.CALENDAR_MAX_BYTES
    timeout = settings.CALENDAR_TIMEOUT_SECONDS
    deadline = time.monotonic() + 3 * timeout
    headers = {"User-Agent": USER_AGENT, **(headers or {})}
    with requests.Session() as session:
        session.trust_env = False  # no proxies or .netrc from the environment
        for _hop in range(follow_redirects + 1):
            check_url(url)
            try:
                response = session.request(method, url, headers=headers, data=body, auth=auth, timeout=timeout,
                                           stream=True, allow_redirects=False)
            except requests.exceptions.Timeout:
                raise CalendarFetchError("The calendar server did not answer in time.") from None
            except requests.exceptions.RequestException:
                raise CalendarFetchError("The calendar server could not be reached.") from None
            if response.status_code in {301, 302, 303, 307, 308} and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                response.close()
                continue
            break
        else:
            raise CalendarFetchError("The calendar address redirects too many times.")
        with response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise CalendarFetchError(_too_big())
            chunks, size = [], 0
            try:
                for chunk in response.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > limit:
                        raise CalendarFetchError(_too_big())
                    if time.monotonic() > deadline:
                        raise CalendarFetchError("The calendar server did not answer in time.")
                    chunks.append(chunk)
            except requests.exceptions.Timeout:
                raise CalendarFetchError("The calendar server did not answer in time.") from None
            except requests.exceptions.RequestException:
                raise CalendarFetchError("The calendar server broke off the answer.") from None
            return Answer(response.status_code, dict(response.headers), b"".join(chunks))


def fetch_ical(url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    """GET an iCalendar subscription: conditional on the last ETag/Last-Modified, size and time limited."""
    headers = {"Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    answer = request("GET", url, headers=headers, follow_redirects=MAX_REDIRECTS)
    if answer.status == 304:
        return Fetched(b"", etag, last_modified, not_modified=True)
    raise_for_status(answer.status)
    return Fetched(answer.body, answer.headers.get("ETag", ""), answer.headers.get("Last-Modified", ""))


def _too_big() -> str:
    return f"The calendar is larger than {settings.CALENDAR_MAX_BYTES // (1024 * 1024)} MB; it was not read."


def raise_for_status(status: int) -> None:
    if status in {401, 403}:
        raise CalendarFetchError("The calendar server refused the sign-in (check the user name and app password).")
    if status == 404:
        raise CalendarFetchError("The calendar server has no calendar at that address.")
    if status >= 400:
        raise CalendarFetchError(f"The calendar server answered with an error ({status}).")
