"""The point a coach acts on (moving it, closing it): locked in the lock order and the coach's
relation checked, for scheduling and closing alike (each imports it; neither imports the other for it)."""

from __future__ import annotations

from engagements.access import COACH, require_relation
from engagements.locking import lock_engagement
from measurement.models import MeasurementPoint


def coach_point(point: MeasurementPoint, actor) -> MeasurementPoint:
    lock_engagement(point.engagement_id)  # the lock order: engagement, then its points
    point = (
        MeasurementPoint.objects.select_for_update(of=("self",))
        .select_related("engagement", "version", "version__coachee", "version__coach", "version__sponsor")
        .get(pk=point.pk)
    )
    require_relation(actor, point.engagement, COACH)
    return point
