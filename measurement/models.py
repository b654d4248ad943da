"""Measurement points (a stakeholder baseline round where the contract asks for one, the mid- and
the end-point), the raters' ratings and the computed on/off-track status."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from coachhub.tenancy.models import PracticeOwnedModel
from coachhub.tenancy.validators import validate_visible_characters, visible_text_constraint
from engagements.models import ContractVersion, Engagement, Objective
from measurement.stakeholders.mailboxes import Mailbox


class RaterRole(models.TextChoices):
    COACHEE = "coachee", "Coachee"
    COACH = "coach", "Coach"
    SPONSOR = "sponsor", "Sponsor"


class PointStatus(models.TextChoices):
    """The computed verdict. Mid-points read on/at risk/off track; the end-point reads achieved or not."""

    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    ACHIEVED = "achieved", "Achieved"
    PARTLY_ACHIEVED = "partly_achieved", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    # A baseline round has no verdict: it records where the stakeholders started.
    BASELINE_TAKEN = "baseline_taken", "Baseline taken"


# The statuses that judge the coaching (a point's verdict): every one but the baseline's.
VERDICTS = [status for status in PointStatus.values if status != PointStatus.BASELINE_TAKEN]


class MeasurementPoint(PracticeOwnedModel):
    """When the raters evaluate the objectives: after a number of sessions held, or on a date.

    The baseline round (where the contract asks for one) opens when the coaching starts and closes by
    itself on `closes_on`; only the stakeholders answer it, since the parties' own baseline is the one
    agreed in the contract. Points read in the journey's order: baseline, mid, end (`Meta.ordering`)."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", "Baseline round"
        MID = "mid", "Mid-point"
        END = "end", "End-point"

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="measurement_points")
    # The contract version whose objectives are rated; an accepted amendment moves open points to the new one.
    version = models.ForeignKey(ContractVersion, on_delete=models.PROTECT, related_name="measurement_points")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    due_after_sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    # The baseline round closes by itself on this date (the hourly sweep, as `due_on` makes a point fall due).
    closes_on = models.DateField(null=True, blank=True)
    # Set when the point falls due (its session held or its date reached): raters may rate from then on.
    fell_due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=PointStatus.choices, blank=True)
    status_reason = models.TextField(blank=True, editable=False)
    # The numbers behind the status (rule, tolerance, sessions held/contracted), as computed at closing.
    computation = models.JSONField(default=dict, blank=True, editable=False)
    coach_comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["engagement_id", models.Case(
            models.When(kind="baseline", then=models.Value(0)), models.When(kind="mid", then=models.Value(1)),
            default=models.Value(2),
        )]
        constraints = [
            models.UniqueConstraint(fields=["practice", "engagement", "kind"], name="measurement_point_one_per_kind"),
            models.CheckConstraint(condition=models.Q(kind__in=["baseline", "mid", "end"]), name="measurement_point_kind_valid"),
            # Only the baseline round closes on a date, and it always does.
            models.CheckConstraint(
                condition=models.Q(kind="baseline", closes_on__isnull=False) | (~models.Q(kind="baseline") & models.Q(closes_on__isnull=True)),
                name="measurement_point_baseline_closes_on_a_date",
            ),
            models.CheckConstraint(
                condition=models.Q(due_after_sessions__isnull=False) | models.Q(due_on__isnull=False),
                name="measurement_point_has_a_due_rule",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | ~models.Q(status=""), name="measurement_point_closed_with_status",
            ),
        ]
        indexes = [
            models.Index(fields=["practice", "closed_at", "fell_due_at"], name="measurement_point_due"),
            models.Index(fields=["practice", "due_on"], name="measurement_point_due_on"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.engagement}"

    def audit_subject(self) -> tuple[str, dict[str, int | None]]:
        """How the audit trail names it: people by id, never by name (coachhub/tenancy/audit.py)."""
        people = {"coachee": self.engagement.coachee_id}
        return f"{self.get_kind_display()} of engagement {self.engagement_id} of {{coachee}}", people

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def parties_rate(self) -> bool:
        """Whether coachee, coach and sponsor rate at this point (at the baseline round only the
        stakeholders answer)."""
        return self.kind != self.Kind.BASELINE


# The journey's order of the kinds, for points already loaded (querysets use Meta.ordering).
POINT_ORDER = {MeasurementPoint.Kind.BASELINE: 0, MeasurementPoint.Kind.MID: 1, MeasurementPoint.Kind.END: 2}
# The kinds the parties rate and that end with a verdict.
RATED_KINDS = [MeasurementPoint.Kind.MID, MeasurementPoint.Kind.END]


def in_journey_order(points):
    return sorted(points, key=lambda point: POINT_ORDER[point.kind])


class PointMove(PracticeOwnedModel):
    """A coach moving a measurement point, with the reason: the history of its due rule."""

    point = models.ForeignKey(MeasurementPoint, on_delete=models.CASCADE, related_name="moves")
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_after_sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    from_due_on = models.DateField(null=True, blank=True)
    to_after_sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    to_due_on = models.DateField(null=True, blank=True)
    reason = models.TextField(max_length=1000)

    class Meta:
        ordering = ["point_id", "created_at"]
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""), name="point_move_has_reason")]


class Rating(PracticeOwnedModel):
    """One rater's current score for one objective at one point. Every change is kept in RatingRevision."""

    point = models.ForeignKey(MeasurementPoint, on_delete=models.PROTECT, related_name="ratings")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=8, choices=RaterRole.choices)
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(Objective.SCALE_MIN), MaxValueValidator(Objective.SCALE_MAX)]
    )
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["point_id", "objective_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "point", "objective", "role"], name="rating_one_per_rater"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=10), name="rating_on_scale"),
        ]
        indexes = [models.Index(fields=["practice", "point", "rater"], name="rating_point_rater")]

    def __str__(self) -> str:
        return f"{self.role} rated {self.score} ({self.objective})"


class RatingRevision(PracticeOwnedModel):
    """A rating as submitted or corrected: who, when, what score and comment."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="revisions")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["rating_id", "created_at"]


class ObjectiveResult(PracticeOwnedModel):
    """The computed outcome of one objective at a closed point (never edited once written)."""

    point = models.ForeignKey(MeasurementPoint, on_delete=models.CASCADE, related_name="results")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="results")
    score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    expected = models.DecimalField(max_digits=4, decimal_places=2)
    status = models.CharField(max_length=16, choices=PointStatus.choices)
    reason = models.TextField()

    class Meta:
        ordering = ["point_id", "objective__position"]
        constraints = [models.UniqueConstraint(fields=["practice", "point", "objective"], name="objective_result_once")]


# --- Stakeholder feedback (DESIGN.md "Stakeholder feedback") --------------------------------------------------


class Nominee(PracticeOwnedModel):
    """Someone around the coachee whom the coachee named to rate the objectives, in one of the
    contract's stakeholder groups. Not a member of the practice and without an account: they answer
    through a personal emailed link. Their name and email are purged with the engagement's other
    personal data (`purged_at`), leaving the anonymous responses.

    The coach approves each nominee before anyone is invited (`approval`): a coachee who named people
    they control could otherwise fill a group and read the one real answer from its mean."""

    class Approval(models.TextChoices):
        AWAITING = "awaiting", "Waiting for the coach"
        APPROVED = "approved", "Approved by the coach"
        DECLINED = "declined", "Declined by the coach"

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="nominees")
    group = models.CharField(max_length=80)
    name = models.CharField(max_length=150, validators=[validate_visible_characters])
    email = models.EmailField()
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Every link sent carries this; a nominee removed and named again gets new links.
    link_secret = models.CharField(max_length=32, editable=False)
    # Only an approved nominee is invited, reminded or let in by a link.
    approval = models.CharField(max_length=8, choices=Approval.choices, default=Approval.AWAITING)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["engagement_id", "group", "name"]
        constraints = [
            visible_text_constraint("name", name="nominee_name_visible"),
            # One mailbox once per engagement (case, dots and +tags aside): never twice, never in two groups.
            # A declined nominee no longer counts (the service still asks the coachee to remove it first).
            models.UniqueConstraint(
                "practice", "engagement", Mailbox("email"),
                condition=models.Q(purged_at__isnull=True) & ~models.Q(approval="declined"),
                name="nominee_mailbox_once_per_engagement",
            ),
            models.CheckConstraint(condition=~models.Q(group=""), name="nominee_has_group"),
            models.CheckConstraint(condition=models.Q(approval__in=["awaiting", "approved", "declined"]), name="nominee_approval_valid"),
        ]
        indexes = [models.Index(fields=["practice", "engagement"], name="nominee_engagement")]

    def __str__(self) -> str:
        return f"{self.name} ({self.group})" if not self.purged_at else f"A purged nominee ({self.group})"


class NominationSuggestion(PracticeOwnedModel):
    """The coach's suggestion to the coachee about whom to nominate (the coachee decides)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="nomination_suggestions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=1000)

    class Meta:
        ordering = ["engagement_id", "-created_at"]
        constraints = [models.CheckConstraint(condition=~models.Q(text=""), name="nomination_suggestion_has_text")]


class StakeholderResponse(PracticeOwnedModel):
    """One nominee's answer at one point: their group, their scores (StakeholderScore) and one
    optional comment. `nominee` is kept only while the point is open, so the answer can be changed
    and unanswered nominees chased; closing the point seals the answers (measurement/stakeholders/
    answers.py: written anew without their nominee, in content order, timed at the close), and from
    then on the database refuses to add or change any (migration 0004). Never shown with a nominee:
    see measurement/stakeholders/results.py."""

    point = models.ForeignKey(MeasurementPoint, on_delete=models.PROTECT, related_name="stakeholder_responses")
    nominee = models.ForeignKey(Nominee, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses")
    group = models.CharField(max_length=80)
    comment = models.TextField(blank=True, max_length=1000)

    class Meta:
        # Never by time or by id in anything shown: order is by group, then shuffled where read.
        ordering = ["point_id", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "point", "nominee"], condition=models.Q(nominee__isnull=False),
                name="stakeholder_response_once_per_nominee",
            ),
        ]
        indexes = [models.Index(fields=["practice", "point"], name="stakeholder_response_point")]


class StakeholderScore(PracticeOwnedModel):
    """A response's rating of one objective: 1–10, or None for "can't say"."""

    response = models.ForeignKey(StakeholderResponse, on_delete=models.CASCADE, related_name="scores")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="stakeholder_scores")
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(Objective.SCALE_MIN), MaxValueValidator(Objective.SCALE_MAX)]
    )

    class Meta:
        ordering = ["response_id", "objective_id"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "response", "objective"], name="stakeholder_score_once"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=10), name="stakeholder_score_on_scale",
            ),
        ]


# The engagement summary lives with its builders (measurement/summaries/); imported here so Django registers it.
from measurement.summaries.models import SUMMARY_FIELDS, EngagementSummary  # noqa: E402, F401
