"""Panels the apps above add to an engagement's sessions page (measurement's progress panel).

The sessions page sits below measurement, so it neither imports it nor loads its template tags.
An app above registers, in its AppConfig.ready(), a function that renders its panel for a viewer
(HTML, or "" when that viewer sees nothing of it); the page shows the panels in registration order
under the commitment line.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString

from coachhub.tenancy.viewers import Viewer
from engagements.models import Engagement
from sessions.selectors import Commitment

# (*, viewer, engagement, commitment) -> the panel's HTML; the commitment is the page's, read once.
EngagementPanel = Callable[..., SafeString | str]

_panels: list[EngagementPanel] = []


def register_engagement_panel(panel: EngagementPanel) -> None:
    if panel not in _panels:  # an app's ready() may run twice (tests, reloads)
        _panels.append(panel)


def engagement_panels(*, viewer: Viewer, engagement: Engagement, commitment: Commitment) -> list[SafeString]:
    """Every registered panel rendered for `viewer`, the empty ones left out."""
    rendered = (panel(viewer=viewer, engagement=engagement, commitment=commitment) for panel in _panels)
    return [html for html in rendered if html]
