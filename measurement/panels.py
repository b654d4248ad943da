"""Measurement's panels on the pages of the apps below it, which may not load its template tags:
the progress panel of an engagement's sessions page (registered with sessions/panels.py in
MeasurementConfig.ready()). The home pages, above, use the template tags instead."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from coachhub.tenancy.viewers import Viewer
from engagements.models import Engagement
from measurement.selectors import progress_panel
from sessions.selectors import Commitment


def progress_panel_html(*, viewer: Viewer, engagement: Engagement, commitment: Commitment) -> SafeString:
    """The engagement's progress panel, empty for those who may not see its measurement."""
    progress = progress_panel(viewer=viewer, engagement=engagement, commitment_now=commitment)
    return render_to_string("measurement/_progress.html", {"progress": progress})
