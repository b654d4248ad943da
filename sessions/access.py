"""Coaching sessions, their actions and the coachee's reflections, loaded for a viewer by the one
table of DESIGN.md's "Who sees what" (engagements/access.py): Http404 alike for missing and not
yours."""

from __future__ import annotations

from django.http import Http404

from coachhub.tenancy.context import require_practice
from coachhub.tenancy.viewers import Viewer
from engagements.access import (
    COACH,
    COACHEE,
    Acting,
    Data,
    Relation,
    acts_as,
    relations_to,
    visible_engagements,
)
from engagements.models import Engagement
from sessions.models import ActionItem, CoachingSession


def bookers() -> frozenset[Relation]:
    """Who books and moves sessions: the coach; the coachee too where the practice allows it."""
    return frozenset({COACH, COACHEE}) if require_practice().coachees_book_sessions else frozenset({COACH})


def may_book_sessions(viewer: Viewer, engagement: Engagement) -> bool:
    return bool(relations_to(viewer, engagement) & bookers())


def access_session(viewer: Viewer, session_id: int, *, to_see: Data, acting_as: Acting = None) -> CoachingSession:
    """A coaching session of an engagement of which `viewer` may see `to_see` (and relates to as
    `acting_as`, for an action); Http404 otherwise."""
    session = CoachingSession.objects.select_related("engagement__coachee", "engagement__coach", "booking").filter(
        pk=session_id, engagement__in=visible_engagements(viewer, to_see).values("pk"),
    ).first()
    if session is None or not acts_as(relations_to(viewer, session.engagement), acting_as):
        raise Http404
    return session


def access_action(viewer: Viewer, action_id: int, *, acting_as: Acting = None) -> ActionItem:
    """An action item, for its engagement's coach and coachee (as `acting_as`, when given)."""
    action = ActionItem.objects.select_related("engagement").filter(
        pk=action_id, engagement__in=visible_engagements(viewer, Data.SUMMARIES_AND_ACTIONS).values("pk"),
    ).first()
    if action is None or not acts_as(relations_to(viewer, action.engagement), acting_as):
        raise Http404
    return action
