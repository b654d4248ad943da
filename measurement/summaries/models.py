"""The engagement summary row (see measurement/summaries/__init__.py). Registered with Django through
measurement.models."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from coachhub.tenancy.models import ClientOrganisation, PracticeOwnedModel
from engagements.models import ContractVersion, Engagement
from sessions.models import CoachingSession


class EngagementSummary(PracticeOwnedModel):
    """What the lists show of one engagement, derived from the source tables and never edited by hand:
    `building.build` computes every field but `version`, which rises each time the row changes (a cache
    of what the row shows is keyed on it)."""

    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="summary")
    coachee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    client_organisation = models.ForeignKey(
        ClientOrganisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    stage = models.CharField(max_length=16, choices=Engagement.Stage.choices)
    # The contract in force (the accepted version): its number, sponsor, package and dates.
    contract = models.ForeignKey(ContractVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    contract_number = models.PositiveSmallIntegerField(null=True, blank=True)
    contract_sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    frequency = models.CharField(max_length=16, blank=True)
    session_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # Sessions: contracted (the contract in force; None without one), scheduled, held, used (the
    # contract's rule: held, late cancellations and no-shows).
    sessions_contracted = models.PositiveSmallIntegerField(null=True, blank=True)
    sessions_scheduled = models.PositiveSmallIntegerField(default=0)
    sessions_held = models.PositiveSmallIntegerField(default=0)
    sessions_used = models.PositiveSmallIntegerField(default=0)
    # The earliest session still scheduled (it may have begun and wait to be logged).
    next_session = models.ForeignKey(CoachingSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    next_session_at = models.DateTimeField(null=True, blank=True)
    # The contract in force's objectives in order: [{"id", "position", "title", "score", "status"}], score
    # and status from the latest closed point that rated it (the end-point's, else the mid-point's).
    objectives = models.JSONField(default=list, blank=True)
    # The latest closed point with a verdict (a baseline round has none).
    latest_point_kind = models.CharField(max_length=8, blank=True)
    latest_status = models.CharField(max_length=16, blank=True)
    latest_status_reason = models.TextField(blank=True)
    # How many points the contract brought (none before it is accepted), and the first not yet closed,
    # in the journey's order, with its due rule.
    points_scheduled = models.PositiveSmallIntegerField(default=0)
    next_point_kind = models.CharField(max_length=8, blank=True)
    next_point_due_after_sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    next_point_due_on = models.DateField(null=True, blank=True)
    next_point_closes_on = models.DateField(null=True, blank=True)
    next_point_fell_due_at = models.DateTimeField(null=True, blank=True)
    # Per point stakeholders were asked at (fallen due, someone approved): [{"kind", "named", "answered"}],
    # `answered` counting only groups at their minimum (measurement.stakeholders.results.live_counts).
    stakeholder_rates = models.JSONField(default=list, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["engagement_id"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "engagement"], name="engagement_summary_one_per_engagement"),
        ]
        indexes = [
            models.Index(fields=["practice", "stage", "latest_status"], name="engagement_summary_status"),
            models.Index(fields=["practice", "coach", "stage"], name="engagement_summary_coach"),
            models.Index(fields=["practice", "coachee", "stage"], name="engagement_summary_coachee"),
            models.Index(fields=["practice", "client_organisation", "stage"], name="engagement_summary_client"),
            models.Index(fields=["practice", "contract_sponsor", "stage"], name="engagement_summary_sponsor"),
        ]

    def __str__(self) -> str:
        return f"Summary of engagement {self.engagement_id} (v{self.version})"


# The fields `building.build` computes: everything a reader may rely on (not `version` or timestamps).
SUMMARY_FIELDS = [
    "coachee_id", "coach_id", "client_organisation_id", "stage",
    "contract_id", "contract_number", "contract_sponsor_id", "frequency", "session_minutes", "start_date", "end_date",
    "sessions_contracted", "sessions_scheduled", "sessions_held", "sessions_used", "next_session_id", "next_session_at",
    "objectives", "latest_point_kind", "latest_status", "latest_status_reason",
    "points_scheduled", "next_point_kind", "next_point_due_after_sessions", "next_point_due_on", "next_point_closes_on", "next_point_fell_due_at",
    "stakeholder_rates", "last_activity_at",
]
