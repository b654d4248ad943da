"""Reads for contracting: what awaits whom, and the canonical text. Who may see which contract is
decided in engagements/access.py."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from coachhub.tenancy.context import require_practice
from coachhub.tenancy.viewers import Viewer
from engagements.access import (
    COACH,
    MATCHED_STAGES,
    Data,
    Relation,
    party_role,
    versions_to_answer,
    visible_contract_versions,
    visible_engagements,
)
from engagements.models import Acceptance, ContractingSession, ContractTemplate, ContractVersion, Engagement, Objective
from engagements.models.contracts import ContractFrequency


def contract_template() -> ContractTemplate:
    """The practice's template; an unsaved one with the default texts until an admin saves it."""
    return ContractTemplate.objects.first() or ContractTemplate.with_defaults()


def _with_answers(versions: QuerySet[ContractVersion]) -> QuerySet[ContractVersion]:
    return versions.prefetch_related(Prefetch("acceptances", queryset=Acceptance.objects.select_related("party")))


def versions_of(engagement: Engagement, viewer: Viewer) -> list[ContractVersion]:
    """The engagement's versions `viewer` may read, newest first, each with its answers."""
    return list(_with_answers(visible_contract_versions(viewer).filter(engagement=engagement)).order_by("-number"))


def current_version(versions: list[ContractVersion]) -> ContractVersion | None:
    """Of an engagement's versions (newest first), the one that counts now: the newest not superseded."""
    return next((v for v in versions if v.status != ContractVersion.Status.SUPERSEDED), None)


@dataclass(frozen=True)
class VersionState:
    """A version as one viewer reads it: its text and hash, their own answer, whether they may
    answer now, who has still to answer and who asked for changes."""

    objectives: list[Objective]
    acceptances: list[Acceptance]
    text: str
    text_sha256: str
    role: str | None
    mine: Acceptance | None
    can_answer: bool
    waiting_for: list
    change_requests: list[Acceptance]


def version_state(version: ContractVersion, viewer: Viewer) -> VersionState:
    objectives, acceptances = list(version.objectives.all()), list(version.acceptances.all())
    text = version.rendered_text or canonical_text(version, objectives)
    mine = next((a for a in acceptances if a.party_id == viewer.pk), None)
    role = party_role(viewer, version)
    answered = {a.party_id for a in acceptances}
    return VersionState(
        objectives=objectives, acceptances=acceptances, text=text, text_sha256=version.text_sha256 or sha256_of(text),
        role=role, mine=mine, can_answer=role is not None and mine is None and version.status == ContractVersion.Status.SENT,
        waiting_for=[party for _, party in version.parties() if party.pk not in answered],
        change_requests=[a for a in acceptances if a.decision == Acceptance.Decision.CHANGES_REQUESTED],
    )


def contracting_session_of(engagement: Engagement) -> ContractingSession | None:
    return ContractingSession.objects.select_related("booking").filter(engagement=engagement).first()


def engagements_with_contracts(viewer: Viewer) -> QuerySet[Engagement]:
    """The engagements listed on the contracts page: in contracting or later, whose contract
    `viewer` may see, each with the versions they may read (newest first) as `versions`."""
    visible = visible_contract_versions(viewer).order_by("-number")
    return visible_engagements(viewer, Data.CONTRACT).filter(stage__in=MATCHED_STAGES).prefetch_related(
        Prefetch("contract_versions", queryset=visible, to_attr="versions")
    ).order_by("-matched_at", "-created_at")


def _changes_requested():
    return Exists(Acceptance.objects.filter(
        version=OuterRef("pk"), decision=Acceptance.Decision.CHANGES_REQUESTED
    ))


def _sent_to(viewer: Viewer, acting_as: Relation | None = None) -> QuerySet[ContractVersion]:
    """Versions sent asking `viewer` for an answer (access.versions_to_answer), oldest first, each
    marked `answered` (by them) and `changes_requested` (by any party)."""
    return (
        versions_to_answer(viewer, acting_as)
        .annotate(
            answered=Exists(Acceptance.objects.filter(version=OuterRef("pk"), party=viewer.user)),
            changes_requested=_changes_requested(),
        )
        .select_related("coachee", "coach").order_by("sent_at")
    )


def awaiting_acceptance_by(viewer: Viewer, acting_as: Relation | None = None) -> QuerySet[ContractVersion]:
    """Versions sent for acceptance that ask `viewer` (as `acting_as`, if given: coachee, coach or
    sponsor) and that they have not answered yet. A version someone asked to change waits for its
    revision instead, so it is not listed."""
    return _sent_to(viewer, acting_as).filter(answered=False, changes_requested=False)


def coach_contracts_waiting(viewer: Viewer) -> tuple[list[ContractVersion], list[ContractVersion]]:
    """Sent versions of the coach's contracts: those awaiting the coach's own answer (as
    `awaiting_acceptance_by(viewer, COACH)` lists them), and those a party asked to change, which
    the coach revises. One query, for the home page."""
    versions = list(_sent_to(viewer, COACH))
    return (
        [version for version in versions if not version.answered and not version.changes_requested],
        [version for version in versions if version.changes_requested],
    )


def open_version(engagement: Engagement) -> ContractVersion | None:
    """The version being drafted or awaiting acceptance, if any (there is at most one)."""
    return engagement.contract_versions.filter(
        status__in=[ContractVersion.Status.DRAFT, ContractVersion.Status.SENT]
    ).first()


# --- The canonical text: what parties accept, and what its SHA-256 is taken of ------------------


def party_snapshot(version: ContractVersion) -> dict:
    """Names as the contract states them: frozen into the version when it is sent, so a later
    change of someone's name never changes a text already accepted."""
    if version.snapshot:
        return version.snapshot

    def person(user) -> dict | None:
        return {"name": user.get_full_name(), "email": user.email} if user else None

    return {
        "practice": require_practice().name,
        "coachee": person(version.coachee),
        "coach": person(version.coach),
        "sponsor": person(version.sponsor),
        "client_organisation": version.client_organisation.name if version.client_organisation else None,
    }


def _date(day) -> str:
    return f"{day.day} {day:%B %Y}" if day else "to be agreed"


def canonical_text(version: ContractVersion, objectives: list[Objective] | None = None) -> str:
    """The contract as plain text, built only from what the version stores. Deterministic: the
    same version always gives the same text, byte for byte, so its SHA-256 can be checked later."""
    if objectives is None:
        objectives = list(version.objectives.all())
    snapshot = party_snapshot(version)
    lines = [f"Coaching contract, version {version.number}", snapshot["practice"], "", "Parties"]
    for role in ("coachee", "coach", "sponsor"):
        if snapshot.get(role):
            lines.append(f"- {role.title()}: {snapshot[role]['name']} <{snapshot[role]['email']}>")
    if snapshot.get("client_organisation"):
        lines.append(f"- Client organisation: {snapshot['client_organisation']}")
    lines += [
        "",
        "Package",
        f"- Sessions: {version.sessions}",
        f"- Frequency: {ContractFrequency(version.frequency).label}",
        f"- Session length: {version.session_minutes} minutes",
        f"- Dates: {_date(version.start_date)} to {_date(version.end_date)}",
        f"- Cancellation: {version.cancellation_rule}",
        f"- Records kept for: {version.retention_months} months after the engagement ends",
    ]
    # Only when named: contracts without stakeholder feedback keep their exact text.
    if version.stakeholder_groups:
        lines += [
            f"- Stakeholder groups rating: {', '.join(version.stakeholder_groups)}"
            f" (results shown per group from {version.stakeholder_min_responses} responses, anonymously)",
        ]
    # Only when asked for: contracts without a baseline round keep their exact text.
    if version.stakeholder_baseline:
        lines.append("- Stakeholder baseline round: the stakeholder groups also rate the objectives when the coaching starts")
    for number, (key, title, text) in enumerate(version.sections(), start=1):
        lines += ["", f"{number}. {title}", text]
        if key == "objectives":
            for objective in objectives:
                lines += [
                    "",
                    f"Objective {objective.position}: {objective.description}",
                    f"   Success measure: {objective.success_measure}",
                    f"   Rated by: {', '.join(objective.raters)}, on a scale of {Objective.SCALE_MIN} to {Objective.SCALE_MAX}",
                    f"   Baseline: {objective.baseline} of {Objective.SCALE_MAX}",
                ]
                # Only when set: contracts accepted before targets existed keep their exact text.
                if objective.target is not None:
                    lines.append(f"   Target: {objective.target} of {Objective.SCALE_MAX}")
                if objective.rated_by_stakeholders:
                    lines.append("   Also rated by the stakeholder groups, anonymously")
    return "\n".join(lines) + "\n"


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AcceptanceCheck:
    """One party's answer and whether the version's text, rendered again now, still has its hash."""

    acceptance: Acceptance
    recomputed_sha256: str

    @property
    def matches(self) -> bool:
        return self.acceptance.text_sha256 == self.recomputed_sha256


def verify_version(version: ContractVersion) -> list[AcceptanceCheck]:
    """Re-render the version's text from what it stores and compare with every answer's hash.

    A mismatch means the stored contract is no longer the text that party saw.
    """
    recomputed = sha256_of(canonical_text(version, list(version.objectives.all())))
    return [AcceptanceCheck(acceptance, recomputed) for acceptance in version.acceptances.all()]


# --- Where a version's PDF is stored ------------------------------------------------------------------


def version_contents(version: ContractVersion) -> tuple[list[Objective], list[Acceptance]]:
    """The version's objectives and answers (prefetched ones are used as they are)."""
    acceptances = version.acceptances.all()
    if "acceptances" not in getattr(version, "_prefetched_objects_cache", {}):
        acceptances = acceptances.select_related("party")
    return list(version.objectives.all()), list(acceptances)


def pdf_storage_path(version: ContractVersion) -> str:
    """Where the version's PDF, as it should look now, is (or will be) stored in the default
    storage: `practices/<practice>/contracts/<engagement>/v<number>-<state>.pdf`, where <state> is
    8 hex digits of a hash of everything the PDF shows (the text, the status, every answer and the
    name it shows for whoever gave it, the practice's branding). Anything changing gives a new name, so
    a stored file is never stale."""
    objectives, acceptances = version_contents(version)
    practice = require_practice()
    parts = [
        version.text_sha256 or sha256_of(canonical_text(version, objectives)),
        version.status, str(version.accepted_at), practice.name, practice.brand_colour, practice.logo.name or "",
        *(f"{a.party_id}:{a.party.get_full_name()}:{a.decision}:{a.decided_at.isoformat()}:{a.text_sha256}:{a.comment}"
          for a in acceptances),
    ]
    state = hashlib.sha256("|".join(parts).encode()).hexdigest()[:8]
    return f"practices/{version.practice_id}/contracts/{version.engagement_id}/v{version.number}-{state}.pdf"
