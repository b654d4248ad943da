"""Fetching coaches' calendars from the server side, safely: the addresses are typed by people, so
each fetch is a request-forgery risk.

Only http(s), no credentials in the URL, a size limit and timeouts, no redirects followed blindly,
and addresses that resolve to loopback, private, link-local, shared or metadata ranges are refused
unless CALENDAR_ALLOW_PRIVATE_HOSTS is true (a closed network, the tests, the demo). Cloud metadata
addresses are refused even then. The connection goes to the address that was checked, not to a
second lookup of the name (transport.py). Messages never repeat the URL (a subscription's address is
its secret).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

from coachhub.roster.calendars.transport import PinnedAdapter, SocketAddress

# Cloud metadata and credential services: never fetched, whatever the setting. The IPv4 link-local
# range holds them on AWS, GCP, Azure, Oracle, DigitalOcean, Tencent (and ECS task credentials).
METADATA_NETWORKS = tuple(ipaddress.ip_network(network) for network in (
    "169.254.0.0/16", "100.100.100.200/32", "168.63.129.16/32", "fd00:ec2::/32",
))
# IPv6 forms that carry an IPv4 address a gateway may reach (NAT64's well-known prefix).
NAT64 = ipaddress.ip_network("64:ff9b::/96")
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
    if isinstance(address, ipaddress.IPv6Address):
        if address in NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        else:
            address = address.ipv4_mapped or address.sixtofour or address
    if any(address in network for network in METADATA_NETWORKS):
        return True
    return not address.is_global and not settings.CALENDAR_ALLOW_PRIVATE_HOSTS


def _checked_addresses(url: str) -> tuple[str, int, tuple[SocketAddress, ...]]:
    """The URL's host, port and the socket addresses its name resolves to, every one allowed;
    CalendarFetchError saying why not otherwise. Connections go to these addresses only (transport.py)."""
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
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise CalendarFetchError("The calendar server's name could not be found.") from None
    addresses = []
    for family, _type, _proto, _name, sockaddr in infos:
        if _refused(ipaddress.ip_address(sockaddr[0].split("%", 1)[0])):
            raise CalendarFetchError(
                "That address points into a private network (loopback, private, link-local or metadata "
                "addresses are refused)."
            )
        if (family, sockaddr) not in addresses:
            addresses.append((family, sockaddr))
    if not addresses:
        raise CalendarFetchError("The calendar server's name could not be found.")
    return parts.hostname, port, tuple(addresses)


def check_url(url: str) -> str:
    """The URL if it may be fetched; CalendarFetchError saying why not otherwise."""
    url = (url or "").strip()
    _checked_addresses(url)
    return url


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def request(method: str, url: str, *, auth: tuple[str, str] | None = None, headers: dict[str, str] | None = None,
            body: bytes | str | None = None, follow_redirects: int = 0) -> Answer:
    """One HTTP request to a calendar server, within the rules above: the address checked and the
    connection pinned to it (again at every redirect followed, at most `follow_redirects`),
    connect/read timeouts, the whole answer within three timeouts and CALENDAR_MAX_BYTES. Network
    trouble becomes CalendarFetchError."""
    limit = settings.CALENDAR_MAX_BYTES
    timeout = settings.CALENDAR_TIMEOUT_SECONDS
    deadline = time.monotonic() + 3 * timeout
    headers = {"User-Agent": USER_AGENT, **(headers or {})}
    with requests.Session() as session:
        session.trust_env = False  # no proxies or .netrc from the environment
        transport = PinnedAdapter()
        session.mount("http://", transport)
        session.mount("https://", transport)
        for _hop in range(follow_redirects + 1):
            transport.pin(*_checked_addresses(url))  # connect to what was checked, not to a fresh lookup
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
