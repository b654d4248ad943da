"""Measurement points, their ratings and progress reports, loaded for a viewer by the one table of
DESIGN.md's "Who sees what" (engagements/access.py): Http404 alike for missing and not yours.
Inside a point, who sees the others' ratings before rating is the point's own rule
(`selectors.PointView.ratings_visible`)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from coachhub.tenancy.viewers import Viewer
from engagements.access import (
    MEASURED_STAGES,
    Acting,
    Data,
    Relation,
    access_engagement,
    may_see,
    party_versions,
    visible_engagements,
)
from engagements.models import Engagement, Objective
from measurement.models import RATED_KINDS, MeasurementPoint, Rating

RATED_BY = {"coachee": "rated_by_coachee", "coach": "rated_by_coach", "sponsor": "rated_by_sponsor"}


def visible_progress(viewer: Viewer, *, acting_as: Acting = None) -> QuerySet[Engagement]:
    """Every engagement whose objectives, ratings, status and progress report `viewer` may see (only
    as `acting_as`, when given: the sponsor's dashboard lists what they see as sponsor)."""
    return visible_engagements(viewer, Data.PROGRESS, acting_as=acting_as).filter(stage__in=MEASURED_STAGES)


def points_rated_by(viewer: Viewer, role: str) -> Q:
    """Open points the parties rate whose version names `viewer` as the party `role` (the policy's
    `party_versions`: a sponsor only while an active sponsor of its organisation): a filter."""
    return Q(
        closed_at__isnull=True, fell_due_at__isnull=False, kind__in=RATED_KINDS,
        version__in=party_versions(viewer, Relation(role)).values("pk"),
    )


def awaits_rating_by(viewer: Viewer, role: str) -> Q:
    """A due, open point the parties rate where `viewer` rates as `role` (the version's party, an
    objective rated by that role) and has not rated yet: a filter, or an annotation (dashboards)."""
    rates = Objective.objects.filter(version=OuterRef("version"), **{RATED_BY[role]: True})
    rated = Rating.objects.filter(point=OuterRef("pk"), role=role)
    return points_rated_by(viewer, role) & Exists(rates) & ~Exists(rated)


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
