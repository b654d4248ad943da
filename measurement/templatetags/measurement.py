"""Measurement's panels on the home pages (above it). `{% points_to_rate %}`: the measurement points
waiting for the signed-in person's ratings, and for a coach those they may now close. Pages below
measurement get its panels through a registration instead (measurement/panels.py)."""

from django import template

from measurement.selectors import coach_points
from measurement.selectors import points_to_rate as points_awaiting

register = template.Library()


@register.inclusion_tag("measurement/_to_rate.html", takes_context=True)
def points_to_rate(context, role: str) -> dict:
    """Those awaiting the person as `role` (coachee, coach or sponsor): one list per home section."""
    request = context["request"]
    if not request.user.is_authenticated:
        return {"points": [], "closable": []}
    if role == "coach":
        to_rate, closable = coach_points(request.viewer)
        return {"points": to_rate, "closable": closable}
    return {"points": list(points_awaiting(request.viewer, role)), "closable": []}

