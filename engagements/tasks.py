"""Celery tasks of the journey. Each loads its rows by id inside its practice (PracticeTask, the
app's task base, enters the practice the task was enqueued in) and calls the code that does the
work; none holds business logic of its own."""

from __future__ import annotations

from celery import shared_task

from engagements.models import ContractVersion


@shared_task(autoretry_for=(OSError,))
def render_contract_pdf(*, version_id: int) -> str | None:
    """Render and store a contract version's PDF as it should look now (idempotent: an existing
    file is kept). Returns its storage path; None if the version is not in this practice."""
    version = ContractVersion.objects.select_related("coachee", "coach", "sponsor", "client_organisation").filter(
        pk=version_id
    ).first()
    if version is None:
        return None
    from engagements import (
        pdf,  # WeasyPrint loads where PDFs are rendered, not in web workers
    )

    return pdf.store_contract_pdf(version)
