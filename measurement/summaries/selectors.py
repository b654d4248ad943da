"""Lists read from the engagement summaries: one query per list, with the people joined, whatever the
number of engagements. Whose engagements they are is the policy's to say (engagements/access.py)."""

from __future__ import annotations

from django.db.models import QuerySet

from coachhub.tenancy.viewers import Viewer
from engagements.access import COACH, COACHEE, Data, visible_engagements
from engagements.models import Engagement
from measurement.models import EngagementSummary


def _of(viewer: Viewer, relation) -> QuerySet[EngagementSummary]:
    visible = visible_engagements(viewer, Data.SESSION_DATES, acting_as=relation).values("pk")
    return EngagementSummary.objects.filter(engagement__in=visible)


def coaching_list(viewer: Viewer) -> QuerySet[EngagementSummary]:
    """The active engagements `viewer` coaches (as their coach), oldest match first, with their coachees."""
    return (
        _of(viewer, COACH).filter(stage=Engagement.Stage.ACTIVE)
        .select_related("coachee").order_by("engagement__matched_at", "engagement_id")
    )


def coachee_list(viewer: Viewer) -> QuerySet[EngagementSummary]:
    """The engagements `viewer` is coached in, under way or completed, with their coaches."""
    return (
        _of(viewer, COACHEE).filter(stage__in=[Engagement.Stage.ACTIVE, Engagement.Stage.COMPLETED])
        .select_related("coach").order_by("-engagement__created_at", "-engagement_id")
    )
