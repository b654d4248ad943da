"""Measurement points, their ratings and progress reports, loaded for a viewer by the one table of
DESIGN.md's "Who sees what" (engagements/access.py): Http404 alike for missing and not yours.
Inside a point, who sees the others' ratings before rating is the point's own rule
(`selectors.PointView.ratings_visible`)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from coachhub.tenancy.viewers import Viewer
from engagements.access import (
    MEASURED_STAGES,
    Acting,
    Data,
    access_engagement,
    may_see,
    visible_engagements,
)
from engagements.models import Engagement
from measurement.models import MeasurementPoint


def visible_progress(viewer: Viewer) -> QuerySet[Engagement]:
    """Every engagement whose objectives, ratings, status and progress report `viewer` may see."""
    return visible_engagements(viewer, Data.PROGRESS).filter(stage__in=MEASURED_STAGES)


def access_progress(viewer: Viewer, engagement_id: int, *, acting_as: Acting = None) -> Engagement:
    """An engagement's progress (and its report PDF), for those who may see it; Http404 otherwise."""
    return access_engagement(viewer, engagement_id, to_see=Data.PROGRESS, acting_as=acting_as, stages=MEASURED_STAGES)


def access_point(
    viewer: Viewer, engagement_id: int, point_id: int, *, acting_as: Acting = None,
) -> tuple[Engagement, MeasurementPoint]:
    """A measurement point (and its ratings) of an engagement whose progress `viewer` may see."""
    engagement = access_progress(viewer, engagement_id, acting_as=acting_as)
    point = MeasurementPoint.objects.select_related("version").filter(engagement=engagement, pk=point_id).first()
    if point is None:
        raise Http404
    return engagement, point


def access_stakeholders(viewer: Viewer, engagement_id: int, *, acting_as: Acting = None) -> tuple[Engagement, bool]:
    """An engagement's stakeholder page: (engagement, whether `viewer` may see who the stakeholders
    are). Coachee and coach see the names; admins and sponsors counts only; others Http404."""
    engagement = access_engagement(
        viewer, engagement_id, to_see=Data.STAKEHOLDER_COUNTS, acting_as=acting_as, stages=MEASURED_STAGES,
    )
    return engagement, may_see(viewer, Data.STAKEHOLDERS, engagement)
