"""What the contracting writes share: which fields are a contract's terms, the engagement or
version loaded under its lock (see engagements/locking.py), and what follows a commit — the PDF
rendered by a worker, the parties' emails."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from coachhub.tenancy.mail import send_email
from engagements.access import COACH, require_relation
from engagements.locking import lock_engagement
from engagements.models import ContractVersion, Engagement
from engagements.models.contracts import CONTRACT_SECTIONS, section_field

SECTION_FIELDS = [section_field(key) for key, _ in CONTRACT_SECTIONS]
PACKAGE_FIELDS = [
    "sessions", "frequency", "session_minutes", "cancellation_notice_hours", "retention_months",
    "stakeholder_groups", "stakeholder_min_responses", "stakeholder_baseline",
]
TERMS_FIELDS = SECTION_FIELDS + PACKAGE_FIELDS
# What the coach may change in a draft, besides its objectives.
DRAFT_FIELDS = TERMS_FIELDS + ["start_date", "end_date", "sponsor", "client_organisation"]
OBJECTIVE_FIELDS = [
    "description", "success_measure", "rated_by_coachee", "rated_by_coach", "rated_by_sponsor", "rated_by_stakeholders", "baseline", "target",
]


def normalised(value):
    """Text as it will be rendered: Unix line ends, no stray whitespace around it."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip() if isinstance(value, str) else value


def coach_engagement(engagement: Engagement, actor, *, stages: tuple[str, ...]) -> Engagement:
    """The engagement, locked, if `actor` is its coach and it is at one of `stages`."""
    engagement = lock_engagement(engagement.pk)
    require_relation(actor, engagement, COACH)
    if engagement.stage not in stages:
        raise ValidationError(f"This engagement is {engagement.get_stage_display().lower()}: there is no contract to work on.")
    return engagement


def lock_version(version: ContractVersion) -> ContractVersion:
    """The version re-read under its lock, its engagement locked first (see engagements/locking.py)."""
    lock_engagement(version.engagement_id)
    return (
        ContractVersion.objects.select_for_update(of=("self",))
        .select_related("engagement", "coachee", "coach", "sponsor", "client_organisation")
        .get(pk=version.pk)
    )


def render_pdf_later(version: ContractVersion) -> None:
    from engagements.tasks import render_contract_pdf

    render_contract_pdf.delay_on_commit(version_id=version.pk)


def page_url(base_url: str, name: str, *args) -> str:
    return base_url.rstrip("/") + reverse(name, args=args, urlconf=settings.ROOT_URLCONF)


def email_party(reader, event: str, version: ContractVersion, *, base_url: str, extra: dict | None = None) -> None:
    send_email(
        to=reader.email, template_prefix=f"emails/contract_{event}",
        context={
            "reader": reader, "version": version, "coachee": version.coachee, "coach": version.coach,
            "url": page_url(base_url, "contract_version", version.pk), **(extra or {}),
        },
    )
