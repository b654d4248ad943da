"""The sponsor's dashboard (with its CSV export and one engagement's trends) and the practice
admin's dashboard. Thin: role → filters → dashboards selector → template. Not a sponsor (or not
an admin) of this practice, or not an engagement the sponsor sponsors: 404, like a missing page."""

from __future__ import annotations

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from coachhub.tenancy.models import Role
from coachhub.tenancy.permissions import admin_required, role_required
from coachhub.tenancy.spreadsheets import csv_response
from measurement import dashboards, selectors
from measurement.selectors import grace_cutoff

SPONSOR_PAGE_SIZE = 20  # each row carries a chart per objective
PRACTICE_PAGE_SIZE = 50
POINTS_DUE_SHOWN = 100


class DashboardFilters(forms.Form):
    """The sponsor dashboard's GET filters. An unknown value is an error shown, never a 500."""

    stage = forms.ChoiceField(
        required=False, choices=[("", "Any stage")] + [(s.value, s.label) for s in dashboards.DASHBOARD_STAGES],
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *dashboards.STATUS_FILTER_CHOICES])
    coach = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=[("", "Any coach")])

    def __init__(self, *args, coaches: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].choices = [("", "Any coach"), *coaches]

    def values(self) -> dict:
        """The filters to apply: those that validated (an invalid one is ignored, and reported)."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        return {"stage": data.get("stage") or "", "status": data.get("status") or "", "coach_id": data.get("coach")}

    def querystring(self) -> str:
        """The valid filters as a query string, for the page links and the CSV link."""
        values = self.values()
        pairs = {"stage": values["stage"], "status": values["status"], "coach": values["coach_id"] or ""}
        return urlencode({key: value for key, value in pairs.items() if value})


def _filtered(request: HttpRequest):
    engagements = dashboards.sponsored_engagements(request.viewer)
    form = DashboardFilters(request.GET or None, coaches=dashboards.coaches_of(engagements))
    if form.is_bound:
        form.is_valid()
    return form, dashboards.filter_engagements(engagements, **form.values())


@require_GET
@role_required(Role.SPONSOR)
def sponsor_dashboard(request: HttpRequest) -> HttpResponse:
    form, engagements = _filtered(request)
    page = Paginator(engagements, SPONSOR_PAGE_SIZE).get_page(request.GET.get("page"))
    # With the points awaiting this sponsor's own rating: the row links straight to the form.
    rows = dashboards.rows_for(list(page.object_list), sponsor=request.viewer)
    overdue_before = grace_cutoff()
    for row in rows:
        row.next_point_text = row.progress.describe_next(overdue_before=overdue_before)
    return render(request, "measurement/dashboards/sponsor.html", {
        "form": form, "page": page, "rows": rows, "querystring": form.querystring(),
    })


@require_GET
@role_required(Role.SPONSOR)
def sponsor_dashboard_csv(request: HttpRequest) -> HttpResponse:
    _, engagements = _filtered(request)
    stamp = timezone.localdate().isoformat()
    return csv_response(dashboards.csv_rows(engagements), filename=f"coaching-progress-{stamp}.csv")


@require_GET
@role_required(Role.SPONSOR)
def sponsor_engagement(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """One engagement as its sponsor may see it: the progress page's objectives and charts (the
    stakeholder series included), each closed point's stakeholder groups and comments (anonymous, as
    measurement/stakeholders/results.py shows them to everyone), the summaries shared with them, and
    links to the progress page and its PDF."""
    engagement = dashboards.sponsored_engagement(request.viewer, engagement_id)  # 404 unless theirs in force
    progress = selectors.progress_for(engagement, request.viewer, compact=False)
    # The dashboard's row (status, next point) from the engagement's summary, the points from the progress.
    row = dashboards.Row(engagement=engagement, progress=dashboards.Progress(
        summary=dashboards.summary_of(engagement), points=[v.point for v in progress.points],
    ))
    return render(request, "measurement/dashboards/sponsor_engagement.html", {
        "engagement": engagement, "row": row, "progress": progress,
        "next_point_text": row.progress.describe_next(overdue_before=grace_cutoff()),
        "summaries": list(dashboards.shared_summaries(engagement)),
    })


@require_GET
@admin_required
def practice_dashboard(request: HttpRequest) -> HttpResponse:
    practice = request.practice
    now = timezone.now()
    page = Paginator(dashboards.engagements_by_track(), PRACTICE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = dashboards.rows_for(list(page.object_list), trends=False)
    overdue_before = grace_cutoff(now)
    for row in rows:
        row.next_point_text = row.progress.describe_next(overdue_before=overdue_before)
    return render(request, "measurement/dashboards/practice.html", {
        "stages": dashboards.stage_counts(),
        "due_counts": dashboards.points_due_counts(practice, now=now),
        "points_due": list(dashboards.points_due(practice, now=now)[:POINTS_DUE_SHOWN]),
        "points_due_shown": POINTS_DUE_SHOWN,
        "page": page, "rows": rows,
        "coach_loads": dashboards.coach_loads(now=now),
        "month": dashboards.month_bounds(now, ZoneInfo(practice.time_zone))[0].date(),
    })
