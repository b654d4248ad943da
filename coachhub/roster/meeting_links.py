"""The video link of one meeting: the coach's own fixed link, or, for a coach who chose "a new link
per meeting", the practice's pattern (e.g. https://meet.jit.si/acme-{token}) with a token of the
meeting's own. The token is derived from the meeting's calendar UID, so the invite, the event
written into the coach's calendar, the feed and every reminder give the same link, and moving the
meeting keeps it, with nothing stored."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings

from coachhub.roster.models import CoachProfile
from coachhub.tenancy.context import current_practice

PER_MEETING = "per_meeting"


def meeting_token(uid: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"meeting-link:{uid}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().rstrip("=").lower()[:16]


def meeting_link(profile: CoachProfile | None, *, uid: str) -> str:
    """Where the meeting `uid` with the coach of `profile` takes place ("" when the coach has no link)."""
    if profile is None:
        return ""
    practice = current_practice()
    pattern = practice.meeting_link_pattern if practice is not None else ""
    if profile.meeting_link_mode == PER_MEETING and pattern and uid:
        return pattern.replace("{token}", meeting_token(uid))
    return profile.video_link


def has_meeting_link(profile: CoachProfile) -> bool:
    """Whether every meeting with the coach will have a link (publishing needs it)."""
    practice = current_practice()
    return bool(profile.video_link) or (
        profile.meeting_link_mode == PER_MEETING and practice is not None and bool(practice.meeting_link_pattern)
    )
