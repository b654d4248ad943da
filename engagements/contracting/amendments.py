"""Amending a contract: a new draft version copied from the latest one, for the coach to change
and send again."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.events import publish
from engagements.contracting.versions import OBJECTIVE_FIELDS, TERMS_FIELDS, coach_engagement
from engagements.events import ContractSuperseded
from engagements.models import ContractVersion, Engagement, Objective


@transaction.atomic
def amend_contract(*, engagement: Engagement, actor) -> ContractVersion:
    """A new draft version copied from the latest one, for the coach to change and send again.

    From an accepted version: it stays in force until the amendment is accepted by everyone.
    From a version awaiting acceptance (a revision, e.g. after someone asked for changes): it is
    superseded at once, and its answers stay on record. An open draft is simply returned.
    """
    engagement = coach_engagement(engagement, actor, stages=(Engagement.Stage.CONTRACTING, Engagement.Stage.ACTIVE))
    latest = engagement.contract_versions.exclude(status=ContractVersion.Status.SUPERSEDED).order_by("-number").first()
    if latest is None:
        raise ValidationError("There is no contract to amend yet: draft one first.")
    if latest.status == ContractVersion.Status.DRAFT:
        return latest
    if latest.status == ContractVersion.Status.SENT:
        latest.status, latest.superseded_at = ContractVersion.Status.SUPERSEDED, timezone.now()
        latest.save(update_fields=["status", "superseded_at", "updated_at"])
        publish(ContractSuperseded(version=latest))
    number = engagement.contract_versions.aggregate(n=Max("number"))["n"] + 1
    amendment = ContractVersion.objects.create(
        engagement=engagement, number=number, coachee=engagement.coachee, coach=engagement.coach,
        sponsor_id=latest.sponsor_id, client_organisation_id=latest.client_organisation_id,
        start_date=latest.start_date, end_date=latest.end_date, drafted_by=actor,
        **{field: getattr(latest, field) for field in TERMS_FIELDS} | {"stakeholder_min_responses": latest.stakeholder_minimum},
    )
    practice = require_practice()
    Objective.objects.bulk_create(
        Objective(practice=practice, version=amendment, position=objective.position,
                  **{field: getattr(objective, field) for field in OBJECTIVE_FIELDS})
        for objective in latest.objectives.all()
    )
    audit.record(actor=actor, action="contract.amended", subject=amendment, amends=latest.number)
    return amendment
