"""Coaching sessions: what is booked against the contract, and what the coach logs.

Who may read what follows DESIGN.md ("Who sees what") and is decided in one place,
`sessions.selectors`. Private coach notes are stored only as ciphertext (`sessions.encryption`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from coachhub.tenancy.models import PracticeOwnedModel
from coachhub.tenancy.validators import validate_visible_characters, visible_text_constraint
from coachhub.roster.models import Booking
from engagements.models import Engagement

NOTES_MAX_LENGTH = 50_000

DEFAULT_WORKED_ON_TOPICS = [
    "360 feedback",
    "Psychometric debrief: Core Strengths",
    "Psychometric debrief: Strengthscope",
    "Psychometric debrief: EQ360",
    "Psychometric debrief: Hogan Assessments",
    "Psychometric debrief: other",
    "Thoughts and feelings that drive behaviours",
    "Alternative perspectives / devil's advocate",
    "Timelines and timeframes",
    "Accountability",
    "Navigating a challenging situation or conversation",
    "Perceptual positions: customer",
    "Perceptual positions: shareholder",
    "Perceptual positions: employee",
    "Perceptual positions: other",
]


class WorkedOnTopic(PracticeOwnedModel):
    """One entry of the practice's "what was worked on" list (edited by the practice admin)."""

    name = models.CharField(max_length=120, validators=[validate_visible_characters])
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint("practice", Lower("name"), name="worked_on_topic_name_unique"),
            visible_text_constraint("name", name="worked_on_topic_name_visible"),
        ]

    def __str__(self) -> str:
        return self.name


class Attendance(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED_IN_TIME = "cancelled_in_time", "Cancelled in time"
    LATE_CANCELLATION = "late_cancellation", "Late cancellation"
    NO_SHOW = "no_show", "No-show"


# The contract's rule: a held session, a late cancellation and a no-show use one of the package's
# sessions; one cancelled with enough notice does not.
USED_ATTENDANCE = (Attendance.HELD, Attendance.LATE_CANCELLATION, Attendance.NO_SHOW)


class CoachingSession(PracticeOwnedModel):
    """One coaching session of an engagement and its log.

    `version` rises with every save of the log, so a save made from a stale page (another tab)
    is detected and merged rather than silently overwriting.
    """

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="coaching_sessions")
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="coaching_session")
    number = models.PositiveSmallIntegerField()
    attendance = models.CharField(max_length=20, choices=Attendance.choices, default=Attendance.SCHEDULED)
    counts_as_used = models.BooleanField(default=False, editable=False)
    ics_sequence = models.PositiveIntegerField(default=0)
    # The log.
    goals = models.TextField("sessional goals", max_length=NOTES_MAX_LENGTH, blank=True)
    worked_on = models.JSONField(default=list, blank=True)
    private_notes_ciphertext = models.TextField(blank=True, editable=False)
    summary = models.TextField("shared summary", max_length=NOTES_MAX_LENGTH, blank=True)
    summary_shared_with_sponsor = models.BooleanField(default=False)
    logged_at = models.DateTimeField(null=True, blank=True)
    last_saved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["booking__starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(attendance__in=Attendance.values), name="coaching_session_attendance_valid"),
            models.CheckConstraint(
                condition=models.Q(counts_as_used=True, attendance__in=USED_ATTENDANCE)
                | (models.Q(counts_as_used=False) & ~models.Q(attendance__in=USED_ATTENDANCE)),
                name="coaching_session_used_follows_attendance",
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="coaching_session_number_positive"),
        ]
        indexes = [models.Index(fields=["practice", "engagement", "attendance"], name="coaching_session_engagement")]

    def __str__(self) -> str:
        return f"Session {self.number} of {self.engagement.coachee}"

    def audit_subject(self) -> tuple[str, dict[str, int | None]]:
        """How the audit trail names it: people by id, never by name (coachhub/tenancy/audit.py)."""
        return f"Session {self.number} of {{coachee}}", {"coachee": self.engagement.coachee_id}

    def save(self, *args, **kwargs) -> None:
        self.counts_as_used = self.attendance in USED_ATTENDANCE
        super().save(*args, **kwargs)

    @property
    def is_cancelled(self) -> bool:
        return self.attendance in (Attendance.CANCELLED_IN_TIME, Attendance.LATE_CANCELLATION)

    @property
    def ics_uid(self) -> str:
        return f"coaching-session-{self.pk}@{settings.BASE_DOMAIN}"


class ActionItem(PracticeOwnedModel):
    """Something agreed in a session, owned by the coachee or the coach."""

    class Owner(models.TextChoices):
        COACHEE = "coachee", "Coachee"
        COACH = "coach", "Coach"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    session = models.ForeignKey(CoachingSession, on_delete=models.CASCADE, related_name="actions")
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="actions")
    text = models.CharField(max_length=500)
    owner = models.CharField(max_length=8, choices=Owner.choices, default=Owner.COACHEE)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(owner__in=["coachee", "coach"]), name="action_item_owner_valid"),
            models.CheckConstraint(
                condition=models.Q(status="open", done_at__isnull=True) | models.Q(status="done", done_at__isnull=False),
                name="action_item_done_at_matches",
            ),
        ]
        indexes = [models.Index(fields=["practice", "engagement", "status"], name="action_item_engagement")]

    def __str__(self) -> str:
        return self.text


class CoacheeReflection(PracticeOwnedModel):
    """The coachee's own reflection on their coaching: visible to them alone."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="reflections")
    session = models.ForeignKey(CoachingSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=NOTES_MAX_LENGTH)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["practice", "engagement", "author"], name="reflection_engagement_author")]

    def __str__(self) -> str:
        return f"Reflection of {self.author}"


class LogDraft(PracticeOwnedModel):
    """What a coach typed into a session's log after their sign-in expired, kept on the server
    (private notes encrypted) until they are back and it is saved into the log."""

    session = models.OneToOneField(CoachingSession, on_delete=models.CASCADE, related_name="signed_out_draft")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    goals = models.TextField(max_length=NOTES_MAX_LENGTH, blank=True)
    worked_on = models.JSONField(default=list, blank=True)
    private_notes_ciphertext = models.TextField(blank=True, editable=False)
    summary = models.TextField(max_length=NOTES_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Signed-out draft of {self.session}"
