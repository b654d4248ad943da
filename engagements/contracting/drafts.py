"""Writes for drafting a contract and sending it (journey step 3): the practice's template, a
draft copied from it and edited by the coach, and sending a complete draft for acceptance — its
canonical text rendered and fingerprinted, after which it never changes (see
migrations/0002_contracts.py).

Each service is one transaction, checks its rule and says why it refuses (ValidationError, with
the field where there is one). A version or engagement the actor may not touch raises its model's
DoesNotExist, exactly as a missing one would.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.events import publish
from coachhub.tenancy.models import Membership, Role
from engagements.access import COACH, require_version_relation
from engagements.contract_selectors import canonical_text, contract_template, party_snapshot, sha256_of
from engagements.contracting import versions
from engagements.contracting.versions import (
    DRAFT_FIELDS,
    OBJECTIVE_FIELDS,
    TERMS_FIELDS,
    coach_engagement,
    email_party,
    lock_version,
    normalised,
)
from engagements.events import ContractSent
from engagements.models import ContractTemplate, ContractVersion, Engagement, Objective
from engagements.models.contracts import section_field


@transaction.atomic
def update_contract_template(*, actor, changes: dict) -> ContractTemplate:
    """A practice admin changes the template. Contracts already drafted keep their own copy."""
    template = ContractTemplate.objects.select_for_update().first() or ContractTemplate.with_defaults()
    unknown = set(changes) - set(TERMS_FIELDS)
    if unknown:
        raise ValueError(f"Not template fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(template, field, normalised(value))
    template.full_clean(exclude=["practice"])
    template.save()
    audit.record(actor=actor, action="contract_template.updated", subject="Contract template", fields=sorted(changes))
    return template


def _coachee_organisation(engagement: Engagement):
    membership = (
        Membership.objects.filter(user_id=engagement.coachee_id, role=Role.COACHEE, client_organisation__isnull=False)
        .select_related("client_organisation").first()
    )
    return membership.client_organisation if membership else None


@transaction.atomic
def draft_contract(*, engagement: Engagement, actor) -> ContractVersion:
    """The coach starts the contract from the practice's template (a copy: later template edits
    never reach it). With a version already open, that version is returned unchanged."""
    engagement = coach_engagement(engagement, actor, stages=(Engagement.Stage.CONTRACTING,))
    versions = engagement.contract_versions.all()
    open_version = versions.filter(status__in=[ContractVersion.Status.DRAFT, ContractVersion.Status.SENT]).first()
    if open_version is not None:
        return open_version
    if versions.filter(status=ContractVersion.Status.ACCEPTED).exists():
        raise ValidationError("This engagement already has an accepted contract: amend it to make a new version.")
    template = contract_template()
    number = (versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ContractVersion.objects.create(
        engagement=engagement, number=number, coachee=engagement.coachee, coach=engagement.coach,
        sponsor=engagement.sponsor,
        client_organisation=engagement.client_organisation or _coachee_organisation(engagement),
        drafted_by=actor, **{field: getattr(template, field) for field in TERMS_FIELDS},
    )
    audit.record(actor=actor, action="contract.drafted", subject=version, version=version.number)
    return version


def _check_draft(version: ContractVersion, objectives: list[dict] | None) -> None:
    """Clear messages, by field, for everything a draft may not hold."""
    errors: dict[str, list[str]] = {}
    if version.start_date and version.end_date and version.end_date <= version.start_date:
        errors.setdefault("end_date", []).append("The end date must be after the start date.")
    if version.sponsor_id and not Membership.objects.filter(
        user_id=version.sponsor_id, role=Role.SPONSOR, is_active=True
    ).exists():
        errors.setdefault("sponsor", []).append("Choose a sponsor of this practice.")
    for number, objective in enumerate(objectives or [], start=1):
        if not (objective.get("description") or "").strip():
            errors.setdefault("objectives", []).append(f"Objective {number}: describe the objective.")
        if not (objective.get("success_measure") or "").strip():
            errors.setdefault("objectives", []).append(f"Objective {number}: say how success will be measured.")
        if not any(objective.get(f"rated_by_{who}") for who in ("coachee", "coach", "sponsor")):
            errors.setdefault("objectives", []).append(f"Objective {number}: choose who rates it.")
        baseline = objective.get("baseline")
        if not isinstance(baseline, int) or not Objective.SCALE_MIN <= baseline <= Objective.SCALE_MAX:
            errors.setdefault("objectives", []).append(
                f"Objective {number}: give a baseline from {Objective.SCALE_MIN} to {Objective.SCALE_MAX}."
            )
        target = objective.get("target")
        if target is not None and (not isinstance(target, int) or not Objective.SCALE_MIN <= target <= Objective.SCALE_MAX):
            errors.setdefault("objectives", []).append(
                f"Objective {number}: give a target from {Objective.SCALE_MIN} to {Objective.SCALE_MAX}."
            )
        elif target is not None and isinstance(baseline, int) and target < baseline:
            # Higher is better on the scale: progress runs from the baseline up to the target.
            errors.setdefault("objectives", []).append(
                f"Objective {number}: the target ({target}) cannot be below the baseline ({baseline}) — "
                "ratings run from the baseline up towards it."
            )
    unknown_groups = [name for name in version.stakeholder_groups or [] if name not in require_practice().stakeholder_group_names]
    if not isinstance(version.stakeholder_groups, list) or unknown_groups:
        errors.setdefault("stakeholder_groups", []).append("Choose stakeholder groups from the practice's list.")
    elif len(set(version.stakeholder_groups)) != len(version.stakeholder_groups):
        errors.setdefault("stakeholder_groups", []).append("Name each stakeholder group once.")
    # An amendment (the coaching has started): too late for a round "at the start", unless it has one.
    if version.stakeholder_baseline and version.engagement.stage == Engagement.Stage.ACTIVE and not (
        ContractVersion.objects.filter(
            engagement_id=version.engagement_id, status=ContractVersion.Status.ACCEPTED, stakeholder_baseline=True,
        ).exists()
    ):
        errors.setdefault("stakeholder_baseline", []).append(
            "The baseline round is taken when the coaching starts, and this coaching has started: an amendment cannot add one."
        )
    if errors:
        raise ValidationError(errors)


# Fields an objective may leave out (older callers and imports say nothing of stakeholders).
OBJECTIVE_DEFAULTS = {"rated_by_stakeholders": False}


@transaction.atomic
def update_contract_draft(
    *, version: ContractVersion, actor, changes: dict, objectives: list[dict] | None = None
) -> ContractVersion:
    """The coach edits a draft: package, dates, sponsor and organisation, section texts, and (when
    given) the whole list of objectives, in order. A version that was sent is never edited."""
    version = lock_version(version)
    require_version_relation(actor, version, COACH)
    if version.status != ContractVersion.Status.DRAFT:
        raise ValidationError(
            f"Version {version.number} is {version.get_status_display().lower()} and can no longer be edited. "
            "Amend the contract to make a new version."
        )
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"Not draft fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(version, field, normalised(value))
    _check_draft(version, objectives)
    version.full_clean(exclude=["practice", "engagement", "coachee", "coach", "drafted_by"])
    version.save()
    if objectives is not None:
        version.objectives.all().delete()
        practice = require_practice()
        Objective.objects.bulk_create(
            Objective(practice=practice, version=version, position=position,
                      **{field: normalised(objective.get(field, OBJECTIVE_DEFAULTS.get(field))) for field in OBJECTIVE_FIELDS})
            for position, objective in enumerate(objectives, start=1)
        )
    audit.record(actor=actor, action="contract.edited", subject=version, fields=sorted(changes),
                 objectives=None if objectives is None else len(objectives))
    return version


def objective_target_error_key(position: int) -> str:
    return f"objective_{position}_target"


def _check_complete(version: ContractVersion, objectives: list[Objective]) -> None:
    errors: dict[str, list[str]] = {}
    if not version.start_date:
        errors["start_date"] = ["Give the date the coaching starts."]
    if not version.end_date:
        errors["end_date"] = ["Give the date the coaching ends."]
    for key, title, text in version.sections():
        if not text.strip():
            errors[section_field(key)] = [f"The “{title}” section is empty."]
    if not objectives:
        errors["objectives"] = ["Agree at least one objective before sending."]
    elif not version.sponsor_id and any(objective.rated_by_sponsor for objective in objectives):
        errors["objectives"] = ["An objective is rated by the sponsor, but this contract has no sponsor."]
    if version.stakeholder_groups and not any(objective.rated_by_stakeholders for objective in objectives):
        errors.setdefault("objectives", []).append("Stakeholder groups are named, but no objective is rated by stakeholders.")
    elif not version.stakeholder_groups and any(objective.rated_by_stakeholders for objective in objectives):
        errors.setdefault("objectives", []).append("An objective is rated by stakeholders: name the stakeholder groups who rate it.")
    if version.stakeholder_baseline and not version.stakeholder_groups:
        errors["stakeholder_baseline"] = [
            "A baseline round asks the stakeholder groups: name at least one group, or untick the baseline round."
        ]
    for objective in objectives:
        if objective.target is None:
            # Keyed per objective so the page shows it next to that objective's target field.
            errors[objective_target_error_key(objective.position)] = [
                f"Give objective {objective.position} a target from {Objective.SCALE_MIN} to {Objective.SCALE_MAX}: "
                "where success lies on its scale."
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def send_contract(*, version: ContractVersion, actor, base_url: str, notify: bool = True) -> ContractVersion:
    """The coach sends a complete draft for acceptance. Its canonical text is rendered and its
    SHA-256 stored: that text, and nothing else, is what each party accepts. The other parties
    get an email with a link (unless `notify` is off, as for demo data); the PDF is rendered by a
    worker."""
    version = lock_version(version)
    require_version_relation(actor, version, COACH)
    if version.status != ContractVersion.Status.DRAFT:
        raise ValidationError(f"Version {version.number} was already sent.")
    objectives = list(version.objectives.all())
    _check_complete(version, objectives)
    version.snapshot = party_snapshot(version)
    version.rendered_text = canonical_text(version, objectives)
    version.text_sha256 = sha256_of(version.rendered_text)
    version.status = ContractVersion.Status.SENT
    version.sent_at = timezone.now()
    version.save()
    audit.record(actor=actor, action="contract.sent", subject=version, sha256=version.text_sha256)
    publish(ContractSent(version=version))
    if notify:
        for role, party in version.parties():
            if party.pk != actor.pk:
                email_party(party, "sent", version, base_url=base_url, extra={"role": role})
    versions.render_pdf_later(version)  # looked up on versions: tests stand in for the worker there
    return version
