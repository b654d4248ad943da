"""Writes for contracting (journey step 3): the practice's template, the contracting session, and
a contract's life — drafted, edited, sent, accepted by every party (or changes asked for),
amended as a new version.

Each service is one transaction, checks its rule and says why it refuses (ValidationError, with
the field where there is one). A version or engagement the actor may not touch raises its model's
DoesNotExist, exactly as a missing one would. The database backs the rules that matter: what was
sent never changes, acceptances are never edited, one open version per engagement (see
migrations/0002_contracts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from coachhub.roster import calendar
from coachhub.roster.models import CoachProfile
from coachhub.roster.slots import is_free_slot
from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.events import publish
from coachhub.tenancy.mail import send_email
from coachhub.tenancy.models import Membership, Role
from coachhub.tenancy.timezones import describe
from engagements.access import COACH, require_relation, require_version_relation
from engagements.contract_selectors import (
    canonical_text,
    contract_template,
    party_snapshot,
    sha256_of,
)
from engagements.events import ContractAccepted, ContractAnswered, ContractSent, ContractSuperseded
from engagements.models import (
    CONTRACT_SECTIONS,
    Acceptance,
    Booking,
    ContractingSession,
    ContractTemplate,
    ContractVersion,
    Engagement,
    Objective,
    section_field,
)
from engagements.locking import lock_engagement
from engagements.services import NOT_A_SLOT, BookingRefused, _hold

SECTION_FIELDS = [section_field(key) for key, _ in CONTRACT_SECTIONS]
PACKAGE_FIELDS = ["sessions", "frequency", "session_minutes", "cancellation_notice_hours", "retention_months"]
TERMS_FIELDS = SECTION_FIELDS + PACKAGE_FIELDS
# What the coach may change in a draft, besides its objectives.
DRAFT_FIELDS = TERMS_FIELDS + ["start_date", "end_date", "sponsor", "client_organisation"]
OBJECTIVE_FIELDS = [
    "description", "success_measure", "rated_by_coachee", "rated_by_coach", "rated_by_sponsor", "baseline", "target",
]


def _normalised(value):
    """Text as it will be rendered: Unix line ends, no stray whitespace around it."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip() if isinstance(value, str) else value


# --- The practice's template ----------------------------------------------------------------------


@transaction.atomic
def update_contract_template(*, actor, changes: dict) -> ContractTemplate:
    """A practice admin changes the template. Contracts already drafted keep their own copy."""
    template = ContractTemplate.objects.select_for_update().first() or ContractTemplate.with_defaults()
    unknown = set(changes) - set(TERMS_FIELDS)
    if unknown:
        raise ValueError(f"Not template fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(template, field, _normalised(value))
    template.full_clean(exclude=["practice"])
    template.save()
    audit.record(actor=actor, action="contract_template.updated", subject="Contract template", fields=sorted(changes))
    return template


# --- The contracting session ------------------------------------------------------------------------


def _coach_engagement(engagement: Engagement, actor, *, stages: tuple[str, ...]) -> Engagement:
    """The engagement, locked, if `actor` is its coach and it is at one of `stages`."""
    engagement = lock_engagement(engagement.pk)
    require_relation(actor, engagement, COACH)
    if engagement.stage not in stages:
        raise ValidationError(f"This engagement is {engagement.get_stage_display().lower()}: there is no contract to work on.")
    return engagement


@transaction.atomic
def book_contracting_session(*, engagement: Engagement, coach, starts_at: datetime, base_url: str) -> ContractingSession:
    """The coach books (or moves) the contracting session in one of their free times; coachee and
    coach get a calendar invitation. Same slot engine and the same no-overlap guarantee as
    chemistry calls, for a meeting of ContractingSession.MINUTES."""
    engagement = _coach_engagement(engagement, coach, stages=(Engagement.Stage.CONTRACTING, Engagement.Stage.ACTIVE))
    profile = CoachProfile.objects.get(user_id=coach.pk)
    if not is_free_slot(profile, starts_at, minutes=ContractingSession.MINUTES):
        raise BookingRefused(NOT_A_SLOT, "That time is not one of your free times. Please pick a listed time.", "start")
    session = ContractingSession.objects.select_for_update().select_related("booking").filter(engagement=engagement).first()
    booking = _hold(profile=profile, kind=Booking.Kind.CONTRACTING, starts_at=starts_at, minutes=ContractingSession.MINUTES)
    previous = None
    if session is None:
        session = ContractingSession.objects.create(engagement=engagement, booking=booking)
    else:
        previous = session.booking
        previous.is_active = False
        previous.save(update_fields=["is_active", "updated_at"])
        session.booking = booking
        session.ics_sequence += 1
        session.save(update_fields=["booking", "ics_sequence", "updated_at"])
    audit.record(
        actor=coach, action="contracting_session.booked" if previous is None else "contracting_session.moved",
        subject=f"{engagement.coachee.email} with {coach.email}", starts_at=starts_at.isoformat(),
    )
    _notify_session(session, engagement, profile, base_url=base_url, moved=previous is not None)
    return session


# --- Drafting and editing ---------------------------------------------------------------------------------


def _lock_version(version: ContractVersion) -> ContractVersion:
    """The version re-read under its lock, its engagement locked first (see engagements/locking.py)."""
    lock_engagement(version.engagement_id)
    return (
        ContractVersion.objects.select_for_update(of=("self",))
        .select_related("engagement", "coachee", "coach", "sponsor", "client_organisation")
        .get(pk=version.pk)
    )


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
    engagement = _coach_engagement(engagement, actor, stages=(Engagement.Stage.CONTRACTING,))
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
    audit.record(actor=actor, action="contract.drafted", subject=str(version), version=version.number)
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
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_contract_draft(
    *, version: ContractVersion, actor, changes: dict, objectives: list[dict] | None = None
) -> ContractVersion:
    """The coach edits a draft: package, dates, sponsor and organisation, section texts, and (when
    given) the whole list of objectives, in order. A version that was sent is never edited."""
    version = _lock_version(version)
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
        setattr(version, field, _normalised(value))
    _check_draft(version, objectives)
    version.full_clean(exclude=["practice", "engagement", "coachee", "coach", "drafted_by"])
    version.save()
    if objectives is not None:
        version.objectives.all().delete()
        practice = require_practice()
        Objective.objects.bulk_create(
            Objective(practice=practice, version=version, position=position,
                      **{field: _normalised(objective.get(field)) for field in OBJECTIVE_FIELDS})
            for position, objective in enumerate(objectives, start=1)
        )
    audit.record(actor=actor, action="contract.edited", subject=str(version), fields=sorted(changes),
                 objectives=None if objectives is None else len(objectives))
    return version


# --- Sending, answering -------------------------------------------------------------------------------------


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
    version = _lock_version(version)
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
    audit.record(actor=actor, action="contract.sent", subject=str(version), sha256=version.text_sha256)
    publish(ContractSent(version=version))
    if notify:
        for role, party in version.parties():
            if party.pk != actor.pk:
                _email(party, "sent", version, base_url=base_url, extra={"role": role})
    _render_pdf_later(version)
    return version


@dataclass(frozen=True)
class Answer:
    """What answering did: the party's answer (new or earlier), and whether everyone has now accepted."""

    acceptance: Acceptance
    created: bool
    fully_accepted: bool


def _answerable(version: ContractVersion, party, text_sha256: str) -> tuple[ContractVersion, str, Acceptance | None]:
    version = _lock_version(version)
    role = version.role_of(party)
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
    audit.record(actor=party, action="contract.accepted", subject=str(version), role=role, sha256=text_sha256, ip=ip_address)
    accepted_by = set(
        version.acceptances.filter(decision=Acceptance.Decision.ACCEPTED).values_list("party_id", flat=True)
    )
    fully_accepted = version.party_ids() <= accepted_by
    if fully_accepted:
        _put_in_force(version, party)
        if notify:
            for _, someone in version.parties():
                _email(someone, "accepted", version, base_url=base_url)
    _render_pdf_later(version)
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
    audit.record(actor=last_party, action="contract.in_force", subject=str(version), engagement_stage=engagement.stage)
    publish(ContractAccepted(version=version))


@transaction.atomic
def request_contract_changes(
    *, version: ContractVersion, party, text_sha256: str, ip_address: str | None, comment: str, base_url: str
) -> Answer:
    """A party asks for changes instead of accepting, saying what. The coach is told, and revises
    the contract as a new version (this one can then no longer be accepted)."""
    comment = _normalised(comment or "")
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
    audit.record(actor=party, action="contract.changes_requested", subject=str(version), role=role, ip=ip_address)
    if party.pk != version.coach_id:
        _email(version.coach, "changes_requested", version, base_url=base_url, extra={"acceptance": acceptance})
    publish(ContractAnswered(version=version))
    return Answer(acceptance, created=True, fully_accepted=False)


# --- Amending -----------------------------------------------------------------------------------------------


@transaction.atomic
def amend_contract(*, engagement: Engagement, actor) -> ContractVersion:
    """A new draft version copied from the latest one, for the coach to change and send again.

    From an accepted version: it stays in force until the amendment is accepted by everyone.
    From a version awaiting acceptance (a revision, e.g. after someone asked for changes): it is
    superseded at once, and its answers stay on record. An open draft is simply returned.
    """
    engagement = _coach_engagement(engagement, actor, stages=(Engagement.Stage.CONTRACTING, Engagement.Stage.ACTIVE))
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
        **{field: getattr(latest, field) for field in TERMS_FIELDS},
    )
    practice = require_practice()
    Objective.objects.bulk_create(
        Objective(practice=practice, version=amendment, position=objective.position,
                  **{field: getattr(objective, field) for field in OBJECTIVE_FIELDS})
        for objective in latest.objectives.all()
    )
    audit.record(actor=actor, action="contract.amended", subject=str(amendment), amends=latest.number)
    return amendment


# --- Side effects after commit -------------------------------------------------------------------------------


def _render_pdf_later(version: ContractVersion) -> None:
    from engagements.tasks import render_contract_pdf

    render_contract_pdf.delay_on_commit(version_id=version.pk)


def _url(base_url: str, name: str, *args) -> str:
    return base_url.rstrip("/") + reverse(name, args=args, urlconf=settings.ROOT_URLCONF)


def _email(reader, event: str, version: ContractVersion, *, base_url: str, extra: dict | None = None) -> None:
    send_email(
        to=reader.email, template_prefix=f"emails/contract_{event}",
        context={
            "reader": reader, "version": version, "coachee": version.coachee, "coach": version.coach,
            "url": _url(base_url, "contract_version", version.pk), **(extra or {}),
        },
    )


def _notify_session(session: ContractingSession, engagement: Engagement, profile: CoachProfile, *, base_url: str, moved: bool) -> None:
    leader, coach = engagement.coachee, engagement.coach
    attachment = [calendar.meeting_attachment(
        filename="contracting-session.ics", uid=session.ics_uid, sequence=session.ics_sequence,
        booking=session.booking, title="Contracting session",
        about=f"Contracting session: {leader} and coach {coach} agree the coaching contract.",
        leader=leader, coach=coach, video_link=profile.video_link,
    )]
    for reader, zone in ((leader, leader.time_zone or require_practice().time_zone), (coach, profile.time_zone)):
        send_email(
            to=reader.email, template_prefix="emails/contract_session", attachments=attachment,
            context={
                "reader": reader, "leader": leader, "coach": coach, "moved": moved,
                "when": describe(session.booking.starts_at, zone), "minutes": ContractingSession.MINUTES,
                "video_link": profile.video_link, "url": _url(base_url, "engagement_contract", engagement.pk),
            },
        )

