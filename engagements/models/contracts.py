"""Contracting (journey step 3): the contract's sections and terms, the practice's template, the
contracting session, and each contract version with its objectives and acceptances."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from coachhub.roster.models import Booking
from coachhub.tenancy.models import ClientOrganisation, PracticeOwnedModel
from engagements.models.engagement import Engagement

# The eight sections of every coaching contract, in order: (key, title). Each is a text column
# `section_<key>` on the practice's template and on every contract version.
CONTRACT_SECTIONS: list[tuple[str, str]] = [
    ("objectives", "Objectives"),
    ("roles", "Roles and responsibilities"),
    ("confidentiality", "Confidentiality"),
    ("commitment", "Commitment"),
    ("frequency", "Frequency"),
    ("support_and_challenge", "Support and challenge"),
    ("feedback", "Feedback for both coach and coachee"),
    ("record_keeping", "Record keeping"),
]
SECTION_MAX_LENGTH = 10_000
# The fewest responses a stakeholder group is ever shown from (DESIGN.md "Stakeholder feedback"): with
# two, either one who knows their own answer reads the other's.
STAKEHOLDER_MINIMUM = 3
STAKEHOLDER_MINIMUM_MESSAGE = f"At least {STAKEHOLDER_MINIMUM} responses, so that no one answer can be worked out from the results."

DEFAULT_SECTION_TEXTS: dict[str, str] = {
    "objectives": (
        "The coachee sets the agenda for the coaching. The objectives below were agreed at the contracting "
        "session; each states how success will be measured and who rates progress. A baseline is taken now, "
        "and progress is rated again at the mid-point and at the end."
    ),
    "roles": (
        "The coach provides a thinking space, asks questions, offers observations and shares tools; the coach "
        "does not give advice on the coachee's business decisions. The coachee brings real situations, does the "
        "work agreed between sessions and takes responsibility for their own choices. The sponsor supports the "
        "coachee's development, gives honest feedback when asked and joins the measurement points."
    ),
    "confidentiality": (
        "What is said in sessions stays between coach and coachee. The sponsor sees the objectives, session "
        "dates and attendance, and the ratings at each measurement point; anything else is shared only if the "
        "coachee chooses to. The coach breaks confidentiality only where the law requires it or where someone "
        "is at risk of serious harm, and tells the coachee first where possible. The coach discusses their "
        "work in professional supervision without naming the coachee."
    ),
    "commitment": (
        "Both coach and coachee commit to attend the sessions agreed, on time and prepared, and to protect the "
        "time from interruption. A session cancelled with less notice than the cancellation rule in the package, or "
        "missed, counts as used."
    ),
    "frequency": (
        "Sessions follow the rhythm set out in the package, so that there is time to try new approaches "
        "between them. Dates are agreed session by session and can move by agreement."
    ),
    "support_and_challenge": (
        "The coach will support the coachee and will also challenge them: offering other perspectives, "
        "playing devil's advocate and holding them to account for what they said they would do. The coachee "
        "can say at any time if the balance is not right."
    ),
    "feedback": (
        "Coach and coachee give each other feedback on how the coaching is working, at the end of each "
        "session and at each measurement point, so that the approach can be adjusted. Either may raise a "
        "concern at any time."
    ),
    "record_keeping": (
        "The coach keeps brief private notes of each session and a shared summary with actions. Records are "
        "kept securely for the retention period in the package after the engagement ends; then what was written, "
        "this contract's text and the names in it are deleted, and only anonymous counts and scores are kept. The "
        "coachee may ask to see what is held about them."
    ),
}


def section_field(key: str) -> str:
    return f"section_{key}"


class ContractFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    THREE_WEEKLY = "three_weekly", "Every three weeks"
    MONTHLY = "monthly", "Monthly"


class ContractTerms(models.Model):
    """What a template proposes and a contract version states: the eight sections and the package."""

    section_objectives = models.TextField("Objectives", max_length=SECTION_MAX_LENGTH, blank=True)
    section_roles = models.TextField("Roles and responsibilities", max_length=SECTION_MAX_LENGTH, blank=True)
    section_confidentiality = models.TextField("Confidentiality", max_length=SECTION_MAX_LENGTH, blank=True)
    section_commitment = models.TextField("Commitment", max_length=SECTION_MAX_LENGTH, blank=True)
    section_frequency = models.TextField("Frequency", max_length=SECTION_MAX_LENGTH, blank=True)
    section_support_and_challenge = models.TextField("Support and challenge", max_length=SECTION_MAX_LENGTH, blank=True)
    section_feedback = models.TextField("Feedback for both coach and coachee", max_length=SECTION_MAX_LENGTH, blank=True)
    section_record_keeping = models.TextField("Record keeping", max_length=SECTION_MAX_LENGTH, blank=True)

    sessions = models.PositiveSmallIntegerField(
        "number of sessions", default=6, validators=[MinValueValidator(1, "A package has at least one session."), MaxValueValidator(50)]
    )
    frequency = models.CharField(max_length=16, choices=ContractFrequency.choices, default=ContractFrequency.THREE_WEEKLY)
    session_minutes = models.PositiveSmallIntegerField(
        "session length (minutes)", default=90, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    cancellation_notice_hours = models.PositiveSmallIntegerField(
        "cancellation notice (hours)", default=48, validators=[MaxValueValidator(336)],
        help_text="A session cancelled with at least this much notice is not counted as used.",
    )
    retention_months = models.PositiveSmallIntegerField(
        "records kept for (months)", default=24, validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="After the engagement ends; then its records are purged, leaving anonymous counts and scores.",
    )
    # Stakeholder feedback: the groups (names from the practice's list) who rate the objectives marked
    # for them, and how many responses a group needs before its results are shown.
    stakeholder_groups = models.JSONField("stakeholder groups", default=list, blank=True)
    stakeholder_min_responses = models.PositiveSmallIntegerField(
        "minimum responses per stakeholder group", default=STAKEHOLDER_MINIMUM,
        validators=[MinValueValidator(STAKEHOLDER_MINIMUM, STAKEHOLDER_MINIMUM_MESSAGE), MaxValueValidator(20)],
        help_text="A group's results are shown only once this many of its stakeholders have answered.",
    )
    # A round of stakeholder feedback when the coaching starts (measurement's baseline round), so that
    # the later rounds show the change from where the people around the coachee started.
    stakeholder_baseline = models.BooleanField(
        "baseline round at the start", default=False,
        help_text="The stakeholders rate the objectives once when the coaching starts, so later rounds show the change. "
        "Needs stakeholder groups.",
    )

    class Meta:
        abstract = True

    @property
    def stakeholder_minimum(self) -> int:
        """The responses a group needs before it is shown: the agreed minimum, never below 3 (a version
        sent before the minimum became 3 keeps its text, and is read at 3)."""
        return max(STAKEHOLDER_MINIMUM, self.stakeholder_min_responses)

    def sections(self) -> list[tuple[str, str, str]]:
        """(key, title, text) of the eight sections, in contract order."""
        return [(key, title, getattr(self, section_field(key))) for key, title in CONTRACT_SECTIONS]

    @property
    def cancellation_rule(self) -> str:
        return (
            f"A session cancelled at least {self.cancellation_notice_hours} hours before it starts is not counted; "
            "a later cancellation or a missed session counts as used."
        )


def contract_terms_constraints(prefix: str, *, frozen: models.Q | None = None) -> list[models.BaseConstraint]:
    """The package's ranges, checked by the database as well as the forms. `frozen`: the rows kept as
    sent and accepted, whose stakeholder minimum stays what the parties agreed (at least 2, from before
    the minimum became 3); the results never show a group below 3 whatever the version says."""
    minimum = models.Q(stakeholder_min_responses__gte=STAKEHOLDER_MINIMUM, stakeholder_min_responses__lte=20)
    if frozen is not None:
        minimum |= frozen & models.Q(stakeholder_min_responses__gte=2, stakeholder_min_responses__lte=20)
    return [
        models.CheckConstraint(condition=models.Q(sessions__gte=1, sessions__lte=50), name=f"{prefix}_sessions_range"),
        models.CheckConstraint(
            condition=models.Q(session_minutes__gte=15, session_minutes__lte=480), name=f"{prefix}_session_minutes_range"
        ),
        models.CheckConstraint(condition=models.Q(cancellation_notice_hours__lte=336), name=f"{prefix}_notice_range"),
        models.CheckConstraint(
            condition=models.Q(retention_months__gte=1, retention_months__lte=120), name=f"{prefix}_retention_range"
        ),
        models.CheckConstraint(condition=models.Q(frequency__in=ContractFrequency.values), name=f"{prefix}_frequency_valid"),
        models.CheckConstraint(condition=minimum, name=f"{prefix}_stakeholder_minimum_range"),
    ]


class ContractTemplate(PracticeOwnedModel, ContractTerms):
    """The practice's starting point for every contract. Drafting copies it; later edits here
    never reach a contract already drafted."""

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["practice"], name="contract_template_one_per_practice"),
            *contract_terms_constraints("contract_template"),
        ]

    def __str__(self) -> str:
        return "Contract template"

    @classmethod
    def with_defaults(cls) -> ContractTemplate:
        """An unsaved template holding the default texts (a practice that never edited its own)."""
        return cls(**{section_field(key): text for key, text in DEFAULT_SECTION_TEXTS.items()})


class ContractingSession(PracticeOwnedModel):
    """The meeting at which coach and coachee (and sponsor) agree the contract."""

    MINUTES = 60

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="contracting_sessions")
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="contracting_session")
    # iCalendar SEQUENCE: raised when the session moves, so calendars update the same event.
    ics_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["booking__starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "engagement"], name="contracting_session_one_per_engagement"),
        ]

    def __str__(self) -> str:
        return f"Contracting session {self.booking.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def ics_uid(self) -> str:
        return f"contracting-session-{self.pk}@{settings.BASE_DOMAIN}"


class ContractVersion(PracticeOwnedModel, ContractTerms):
    """One version of an engagement's coaching contract.

    A draft is edited by the coach. Sending freezes it: its canonical text is rendered and its
    SHA-256 stored, and from then on nothing but its status may change (a database trigger
    refuses any other update, and any delete). All parties accepting makes it `accepted`; an
    amendment is a new version, and the one it replaces becomes `superseded` once the new one
    is accepted (a sent version that is revised is superseded at once). When the record-keeping
    period after completion ends, the retention purge empties it (`purged_at`), through the one
    database function allowed to (engagements.retention.purge_contract_records).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Awaiting acceptance"
        ACCEPTED = "accepted", "Accepted"
        SUPERSEDED = "superseded", "Superseded"

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="contract_versions")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # The parties, fixed when the version is drafted (sponsor editable while a draft).
    coachee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sponsor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    client_organisation = models.ForeignKey(
        ClientOrganisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # Set when sent: names as they were then, the canonical text and its SHA-256.
    snapshot = models.JSONField(default=dict, blank=True, editable=False)
    rendered_text = models.TextField(blank=True, editable=False)
    text_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    # Set by the retention purge once the record-keeping period has ended: the text, the names in it and
    # the acceptance records are gone; number, dates, package and hash stay. Only the purge's own database
    # function may set it (migration 0008).
    purged_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["engagement_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "engagement", "number"], name="contract_version_number_unique"),
            models.UniqueConstraint(
                fields=["practice", "engagement"], condition=models.Q(status__in=["draft", "sent"]),
                name="contract_version_one_open_per_engagement",
            ),
            models.UniqueConstraint(
                fields=["practice", "engagement"], condition=models.Q(status="accepted"),
                name="contract_version_one_in_force_per_engagement",
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="contract_version_number_positive"),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "sent", "accepted", "superseded"]), name="contract_version_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True) | models.Q(end_date__isnull=True)
                | models.Q(end_date__gt=models.F("start_date")),
                name="contract_version_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(
                    start_date__isnull=False, end_date__isnull=False, sent_at__isnull=False,
                    text_sha256__regex=r"^[0-9a-f]{64}$",
                ),
                name="contract_version_sent_is_complete",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(accepted_at__isnull=False),
                name="contract_version_accepted_has_time",
            ),
            *contract_terms_constraints("contract_version", frozen=~models.Q(status="draft")),
        ]
        indexes = [
            models.Index(fields=["practice", "coachee", "status"], name="contract_version_coachee"),
            models.Index(fields=["practice", "coach", "status"], name="contract_version_coach"),
            models.Index(fields=["practice", "sponsor", "status"], name="contract_version_sponsor"),
        ]

    def __str__(self) -> str:
        return f"Contract v{self.number} for {self.coachee}"

    def audit_subject(self) -> tuple[str, dict[str, int | None]]:
        """How the audit trail names it: people by id, never by name (coachhub/tenancy/audit.py)."""
        return f"Contract v{self.number} for {{coachee}}", {"coachee": self.coachee_id}

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_fully_accepted(self) -> bool:
        """Accepted by every party (it may since have been superseded by an amendment)."""
        return self.accepted_at is not None

    def parties(self) -> list[tuple[str, object]]:
        """(role, user) of everyone who must accept: coachee, coach, and the sponsor if any."""
        parties = [(Acceptance.Role.COACHEE, self.coachee), (Acceptance.Role.COACH, self.coach)]
        if self.sponsor_id:
            parties.append((Acceptance.Role.SPONSOR, self.sponsor))
        return parties

    def party_ids(self) -> set[int]:
        return {self.coachee_id, self.coach_id} | ({self.sponsor_id} if self.sponsor_id else set())


class Objective(PracticeOwnedModel):
    """One agreed objective: what, how success is measured, who rates it (1–10), and its baseline."""

    SCALE_MIN, SCALE_MAX = 1, 10

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField()
    description = models.TextField(max_length=1000)
    success_measure = models.TextField(max_length=1000)
    rated_by_coachee = models.BooleanField(default=True)
    rated_by_coach = models.BooleanField(default=True)
    rated_by_sponsor = models.BooleanField(default=False)
    # Rated also by the contract's stakeholder groups (anonymously, see measurement.stakeholders).
    rated_by_stakeholders = models.BooleanField(default=False)
    baseline = models.PositiveSmallIntegerField(validators=[MinValueValidator(SCALE_MIN), MaxValueValidator(SCALE_MAX)])
    # Where success lies on the scale; contracts accepted before targets existed have none until amended.
    target = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(SCALE_MIN), MaxValueValidator(SCALE_MAX)]
    )

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "version", "position"], name="objective_position_unique"),
            models.CheckConstraint(
                condition=models.Q(rated_by_coachee=True) | models.Q(rated_by_coach=True) | models.Q(rated_by_sponsor=True),
                name="objective_has_a_rater",
            ),
            models.CheckConstraint(condition=models.Q(baseline__gte=1, baseline__lte=10), name="objective_baseline_on_scale"),
            models.CheckConstraint(
                condition=models.Q(target__isnull=True) | models.Q(target__gte=1, target__lte=10), name="objective_target_on_scale"
            ),
            models.CheckConstraint(
                condition=models.Q(target__isnull=True) | models.Q(target__gte=models.F("baseline")),
                name="objective_target_not_below_baseline",
            ),
            models.CheckConstraint(
                condition=~models.Q(description="") & ~models.Q(success_measure=""), name="objective_described_and_measured"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def raters(self) -> list[str]:
        return [name for name, rates in (
            ("coachee", self.rated_by_coachee), ("coach", self.rated_by_coach), ("sponsor", self.rated_by_sponsor),
        ) if rates]


class Acceptance(PracticeOwnedModel):
    """One party's answer to one sent version: accepted, or changes asked for with a comment.

    Records who, when, from which address, and the SHA-256 of the exact text they were shown.
    Never updated nor deleted (a database trigger refuses both).
    """

    class Role(models.TextChoices):
        COACHEE = "coachee", "Coachee"
        COACH = "coach", "Coach"
        SPONSOR = "sponsor", "Sponsor"

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        CHANGES_REQUESTED = "changes_requested", "Asked for changes"

    version = models.ForeignKey(ContractVersion, on_delete=models.PROTECT, related_name="acceptances")
    party = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=12, choices=Role.choices)
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.ACCEPTED)
    comment = models.TextField(blank=True, max_length=2000)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    text_sha256 = models.CharField(max_length=64)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version_id", "decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "version", "party"], name="acceptance_one_per_party"),
            models.CheckConstraint(condition=models.Q(role__in=["coachee", "coach", "sponsor"]), name="acceptance_role_valid"),
            models.CheckConstraint(
                condition=models.Q(decision__in=["accepted", "changes_requested"]), name="acceptance_decision_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(decision="accepted") | ~models.Q(comment=""), name="acceptance_changes_have_a_comment"
            ),
            models.CheckConstraint(condition=models.Q(text_sha256__regex=r"^[0-9a-f]{64}$"), name="acceptance_sha256_hex"),
        ]
        indexes = [models.Index(fields=["practice", "party"], name="acceptance_party")]

    def __str__(self) -> str:
        return f"{self.party} {self.get_decision_display().lower()} v{self.version.number}"

    @property
    def is_acceptance(self) -> bool:
        return self.decision == self.Decision.ACCEPTED
