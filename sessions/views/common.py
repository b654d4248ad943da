"""What the session pages share: a session only its own coach may log."""

from __future__ import annotations

from django.http import HttpRequest

from engagements.access import Data
from sessions.access import access_session
from sessions.models import CoachingSession


def coach_session(request: HttpRequest, session_id: int) -> CoachingSession:
    """A session only its own coach may log."""
    return access_session(request.viewer, session_id, to_see=Data.PRIVATE_NOTES)
