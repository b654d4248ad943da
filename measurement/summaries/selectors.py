"""Lists read from the engagement summaries: one indexed query per list (the index named beside each),
with the people joined, whatever the number of engagements."""

from __future__ import annotations

from django.db.models import QuerySet

from engagements.models import Engagement
from measurement.models import EngagementSummary


def coaching_list(coach) -> QuerySet[EngagementSummary]:
    """The coach's active engagements, oldest match first, with their coachees (engagement_summary_coach)."""
    return (
        EngagementSummary.objects.filter(coach=coach, stage=Engagement.Stage.ACTIVE)
        .select_related("coachee").order_by("engagement__matched_at", "engagement_id")
    )


def coachee_list(coachee) -> QuerySet[EngagementSummary]:
    """The coachee's engagements under way or completed, with their coaches (engagement_summary_coachee)."""
    return (
        EngagementSummary.objects.filter(coachee=coachee, stage__in=[Engagement.Stage.ACTIVE, Engagement.Stage.COMPLETED])
        .select_related("coach").order_by("-engagement__created_at", "-engagement_id")
    )
