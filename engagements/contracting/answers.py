"""Writes for answering a sent contract: each party accepts the exact text they were shown, or
asks for changes; when every party has accepted, the version is put in force. Acceptances are
never edited (the database backs it). A version the party is not on raises
ContractVersion.DoesNotExist, exactly as a missing one would.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coachhub.tenancy import audit
from coachhub.tenancy.events import publish
from engagements.access import party_role
from engagements.contract_selectors import sha256_of
from engagements.contracting import versions
from engagements.contracting.versions import email_party, lock_version, normalised
from engagements.events import ContractAccepted, ContractAnswered
from engagements.locking import lock_engagement
from engagements.models import Acceptance, ContractVersion, Engagement


@dataclass(frozen=True)
class Answer:
    """What answering did: the party's answer (new or earlier), and whether everyone has now accepted."""

    acceptance: Acceptance
    created: bool
    fully_accepted: bool


def _answerable(version: ContractVersion, party, text_sha256: str) -> tuple[ContractVersion, str, Acceptance | None]:
    version = lock_version(version)
    role = party_role(party, version)
    if role is None:
        raise ContractVersion.DoesNotExist
    earlier = version.acceptances.filter(party=party).first()
    if earlier is not None:
        return version, role, earlier
    if version.status == ContractVersion.Status.DRAFT:
        raise ValidationError("This version is still being drafted: it can be accepted once the coach sends it.")
    if version.status == ContractVersion.Status.SUPERSEDED:
        raise ValidationError(f"Version {version.number} has been replaced by a newer version. Please review that one.")
    if version.status != ContractVersion.Status.SENT:
        raise ValidationError(f"Version {version.number} is {version.get_status_display().lower()}.")
    if text_sha256 != version.text_sha256 or sha256_of(version.rendered_text) != version.text_sha256:
        raise ValidationError(
            "The contract is not the text you reviewed (it may have been replaced). Nothing was recorded: please read it again."
        )
    return version, role, None


@transaction.atomic
def accept_contract(
    *, version: ContractVersion, party, text_sha256: str, ip_address: str | None, base_url: str, notify: bool = True
) -> Answer:
    """A party accepts the exact text they were shown (`text_sha256`). Accepting twice changes
    nothing. When every party has accepted, the version is accepted, any version it amends is
    superseded, and the engagement becomes active."""
    version, role, earlier = _answerable(version, party, text_sha256)
    if earlier is not None:
        if earlier.decision != Acceptance.Decision.ACCEPTED:
            raise ValidationError(
                f"You asked for changes to version {version.number}; the coach will send a revised version to accept."
            )
        return Answer(earlier, created=False, fully_accepted=version.is_fully_accepted)
    acceptance = Acceptance.objects.create(
        version=version, party=party, role=role, decision=Acceptance.Decision.ACCEPTED,
        ip_address=ip_address, text_sha256=text_sha256,
    )
    audit.record(actor=party, action="contract.accepted", subject=version, role=role, sha256=text_sha256, ip=ip_address)
    accepted_by = set(
        version.acceptances.filter(decision=Acceptance.Decision.ACCEPTED).values_list("party_id", flat=True)
    )
    fully_accepted = version.party_ids() <= accepted_by
    if fully_accepted:
        _put_in_force(version, party)
        if notify:
            for _, someone in version.parties():
                email_party(someone, "accepted", version, base_url=base_url)
    versions.render_pdf_later(version)  # looked up on versions: tests stand in for the worker there
    publish(ContractAnswered(version=version))
    return Answer(acceptance, created=True, fully_accepted=fully_accepted)


def _put_in_force(version: ContractVersion, last_party) -> None:
    now = timezone.now()
    engagement = lock_engagement(version.engagement_id)  # already held since _answerable
    for previous in engagement.contract_versions.filter(status=ContractVersion.Status.ACCEPTED).exclude(pk=version.pk):
        previous.status, previous.superseded_at = ContractVersion.Status.SUPERSEDED, now
        previous.save(update_fields=["status", "superseded_at", "updated_at"])
    version.status, version.accepted_at = ContractVersion.Status.ACCEPTED, now
    version.save(update_fields=["status", "accepted_at", "updated_at"])
    # The engagement follows its contract in force: who sponsors it, for which organisation.
    engagement.sponsor_id, engagement.client_organisation_id = version.sponsor_id, version.client_organisation_id
    fields = ["sponsor", "client_organisation", "updated_at"]
    if engagement.stage == Engagement.Stage.CONTRACTING:
        engagement.stage = Engagement.Stage.ACTIVE
        fields.append("stage")
    engagement.save(update_fields=fields)
    audit.record(actor=last_party, action="contract.in_force", subject=version, engagement_stage=engagement.stage)
    publish(ContractAccepted(version=version))


@transaction.atomic
def request_contract_changes(
    *, version: ContractVersion, party, text_sha256: str, ip_address: str | None, comment: str, base_url: str
) -> Answer:
    """A party asks for changes instead of accepting, saying what. The coach is told, and revises
    the contract as a new version (this one can then no longer be accepted)."""
    comment = normalised(comment or "")
    if not comment:
        raise ValidationError({"comment": ["Say what you would like changed."]})
    version, role, earlier = _answerable(version, party, text_sha256)
    if earlier is not None:
        raise ValidationError(
            f"You already {earlier.get_decision_display().lower()} version {version.number} "
            f"on {earlier.decided_at:%d %B %Y}; nothing changed."
        )
    acceptance = Acceptance.objects.create(
        version=version, party=party, role=role, decision=Acceptance.Decision.CHANGES_REQUESTED,
        comment=comment, ip_address=ip_address, text_sha256=text_sha256,
    )
    audit.record(actor=party, action="contract.changes_requested", subject=version, role=role, ip=ip_address)
    if role != Acceptance.Role.COACH:
        email_party(version.coach, "changes_requested", version, base_url=base_url, extra={"acceptance": acceptance})
    publish(ContractAnswered(version=version))
    return Answer(acceptance, created=True, fully_accepted=False)
