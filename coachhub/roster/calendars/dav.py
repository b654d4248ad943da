"""CalDAV (RFC 4791) through the `caldav` client, kept on a leash: every request's address is
checked (coachhub.roster.calendars.fetch.check_url), redirects are not followed, answers are size
limited and timed out, and the client's own errors become plain messages for the coach.

Discovery walks principal → calendar home → collections; sync uses the collection's sync token
(RFC 6578), so an unchanged calendar costs one request, and reads changed events in one multiget.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import niquests
from caldav import DAVClient
from caldav.lib import error as dav_error
from django.conf import settings

from coachhub.roster.calendars.fetch import CalendarFetchError, check_url


class GuardedDAVClient(DAVClient):
    """A DAVClient whose every request goes only where check_url allows, no further than its limits."""

    def __init__(self, **kwargs) -> None:
        super().__init__(enable_rfc6764=False, timeout=settings.CALENDAR_TIMEOUT_SECONDS, **kwargs)
        self.session.trust_env = False
        self.session.max_redirects = 0
        self.session.hooks["response"].append(_refuse_large)

    def _prepare_request(self, url, method, body, headers):
        url_obj, combined = super()._prepare_request(url, method, body, headers)
        check_url(str(url_obj))
        return url_obj, combined


def _refuse_large(response, *args, **kwargs):
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > settings.CALENDAR_MAX_BYTES:
        raise CalendarFetchError(f"The calendar is larger than {settings.CALENDAR_MAX_BYTES // (1024 * 1024)} MB; it was not read.")
    return response


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


@contextmanager
def _plain_errors() -> Iterator[None]:
    """The client's exceptions as messages a coach can act on (never the server's body or a secret)."""
    try:
        yield
    except CalendarFetchError:
        raise
    except dav_error.AuthorizationError:
        raise CalendarFetchError("The calendar server refused the sign-in (check the user name and app password).") from None
    except dav_error.NotFoundError:
        raise CalendarFetchError("The calendar server has no calendar at that address.") from None
    except niquests.exceptions.Timeout:
        raise CalendarFetchError("The calendar server did not answer in time.") from None
    except niquests.exceptions.TooManyRedirects:
        raise CalendarFetchError("The calendar server redirects elsewhere: give the address it redirects to.") from None
    except niquests.exceptions.RequestException:
        raise CalendarFetchError("The calendar server could not be reached.") from None
    except dav_error.DAVError:
        raise CalendarFetchError("The calendar server gave an answer that is not CalDAV.") from None
    except (ValueError, KeyError, AttributeError, TypeError):
        # The client met XML or iCalendar it could not read.
        raise CalendarFetchError("The calendar server gave an answer that could not be read.") from None


def client(*, url: str, username: str, password: str) -> GuardedDAVClient:
    check_url(url)
    # Basic auth from the first request (app passwords are made for it; every provider we target
    # accepts it over TLS): no unauthenticated probe first, so an unchanged calendar costs one request.
    return GuardedDAVClient(url=url, username=username or None, password=password or None,
                            auth_type="basic" if username else None)


def discover(*, url: str, username: str, password: str) -> list[FoundCalendar]:
    """The event calendars on the server: principal → calendar home → collections."""
    with _plain_errors(), client(url=url, username=username, password=password) as dav:
        principal = dav.principal()
        found = []
        for calendar in principal.calendars():
            components = _components(calendar)
            if components and "VEVENT" not in components:
                continue  # task lists, journals
            name = calendar.get_display_name() or str(calendar.url).rstrip("/").rsplit("/", 1)[-1]
            found.append(FoundCalendar(url=str(calendar.url), name=str(name)[:200]))
        return found


def _components(calendar) -> list[str]:
    try:
        return [str(c).upper() for c in calendar.get_supported_components()]
    except (dav_error.DAVError, KeyError, ValueError):
        return []


def changes(dav: GuardedDAVClient, *, calendar_url: str, sync_token: str) -> CalendarChanges:
    """What changed in one calendar since `sync_token` (everything when empty or no longer known)."""
    with _plain_errors():
        calendar = dav.calendar(url=calendar_url)
        result, full = _listing(calendar, sync_token)
        deleted = {str(href) for href in getattr(result, "deleted_urls", None) or ()}
        objects = [obj for obj in result if str(obj.url) not in deleted]
        if full and not objects and sync_token and str(result.sync_token or "") == sync_token:
            full = False  # a server without sync tokens, unchanged since last time
        found = CalendarChanges(sync_token=str(result.sync_token or ""), full=full, deleted=deleted)
        if objects:
            for obj in calendar.multiget([obj.url for obj in objects]):
                if obj.data:
                    found.changed[str(obj.url)] = obj.data
        return found


def _listing(calendar, sync_token: str):
    """The sync-collection answer and whether it is the whole calendar (no token, or one the server
    no longer knows, or a server without sync tokens whose fingerprint changed)."""
    if sync_token and not sync_token.startswith("fake-"):
        try:
            return calendar.get_objects_by_sync_token(sync_token=sync_token, load_objects=False, disable_fallback=True), False
        except dav_error.DAVError as error:
            if isinstance(error, dav_error.AuthorizationError) and calendar._is_genuine_authorization_error(error):
                raise
        sync_token = ""  # expired: start over
    result = calendar.get_objects_by_sync_token(sync_token=sync_token or None, load_objects=False)
    return result, True


def put_event(dav: GuardedDAVClient, *, calendar_url: str, ical: str) -> None:
    """Create or replace one event (by its UID) in the calendar."""
    with _plain_errors():
        # Our SEQUENCE is the invite's; the client must not raise it again.
        dav.calendar(url=calendar_url).save_event(ical, increase_seqno=False)


def delete_event(dav: GuardedDAVClient, *, calendar_url: str, uid: str) -> None:
    with _plain_errors():
        try:
            dav.calendar(url=calendar_url).event_by_uid(uid).delete()
        except dav_error.NotFoundError:
            pass  # already gone
