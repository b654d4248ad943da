"""Celery tasks of measurement. Each runs inside its practice (PracticeTask) and calls the code
that does the work; none holds business logic of its own. The sweep enters its practice per
engagement instead (PracticeTaskInSteps), committing each engagement's work on its own."""

from __future__ import annotations

from celery import shared_task

from coachhub.tenancy.models import Practice
from coachhub.tenancy.tasks import PracticeTaskInSteps
from engagements.models import Engagement


@shared_task(autoretry_for=(OSError,))
def render_progress_pdf(*, engagement_id: int) -> str | None:
    """Render and store an engagement's progress report as it should look now (idempotent).
    Returns its storage path; None if the engagement is not in this practice."""
    engagement = Engagement.objects.select_related("coachee", "coach", "sponsor", "client_organisation").filter(
        pk=engagement_id
    ).first()
    if engagement is None:
        return None
    from measurement import pdf  # WeasyPrint loads where PDFs are rendered, not in web workers

    return pdf.store_progress_pdf(engagement)


@shared_task(base=PracticeTaskInSteps)
def mark_points_due(*, practice_id: int) -> int:
    """The practice's sweep, one engagement per transaction: stakeholder baseline rounds whose closing
    date has come close, then measurement points whose date has come fall due. Returns how many
    points closed or fell due."""
    from measurement.services.closing import close_baseline_rounds_today
    from measurement.services.scheduling import mark_points_due_today

    practice = Practice.objects.get(pk=practice_id)
    return close_baseline_rounds_today(practice=practice) + mark_points_due_today(practice=practice)


@shared_task
def mark_points_due_everywhere() -> int:
    """Beat's hourly entry (no practice): one sweep per practice, each in its own context."""
    practices = list(Practice.objects.filter(suspended_at__isnull=True).values_list("pk", flat=True))
    for practice_id in practices:
        mark_points_due.apply_async(kwargs={"practice_id": practice_id})
    return len(practices)
