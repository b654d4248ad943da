"""Measurement's panels on other apps' pages. `{% points_to_rate %}`: the measurement points waiting
for the signed-in person's ratings, and for a coach those they may now close (home pages).
`{% engagement_progress engagement %}`: the progress panel (the engagement's sessions page)."""

from django import template

from measurement.selectors import coach_points, progress_panel
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


@register.inclusion_tag("measurement/_progress.html", takes_context=True)
def engagement_progress(context, engagement, commitment_now=None) -> dict:
    """The engagement's progress panel, empty for those who may not see its measurement.
    `commitment_now`: the engagement's commitment, when the page has read it already."""
    viewer = context["request"].viewer
    return {"progress": progress_panel(viewer=viewer, engagement=engagement, commitment_now=commitment_now)}
