"""Reads for the sponsor's and the practice admin's dashboards, in a fixed number of queries.

Who may see an engagement's progress is decided by the one table in engagements/access.py (for a
sponsor: a party to the contract in force, of its client organisation); the sponsor's dashboard
lists the engagements they see as their sponsor, in `sponsored_engagements`. The
dashboards show dates, counts, scores and computed statuses, never session content: no private
notes, goals or actions; a session summary only where the coachee shared it with the sponsor.

Every list is one query joining each engagement's summary (measurement/summaries/: sessions used
and contracted, the latest verdict, the next point, the stakeholder response rates), and what a page
of rows needs besides (the sponsor's points to rate, objectives, ratings, results) is loaded in one
query each for the whole page (`load_progress`), so the query count does not grow with the rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString

from coachhub.accounts.models import User
from coachhub.roster.models import Booking, CoachProfile
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.models import Membership, Practice, Role
from coachhub.tenancy.viewers import Viewer
from engagements.models import ContractVersion, Engagement, Objective
from engagements.models.contracts import STAKEHOLDER_MINIMUM
from engagements.access import SPONSOR
from engagements.selectors import CARRIED_STAGES
from measurement.access import awaits_rating_by, visible_progress
from measurement.models import (
    VERDICTS,
    EngagementSummary,
    MeasurementPoint,
    ObjectiveResult,
    PointStatus,
    Rating,
    in_journey_order,
)
from measurement.selectors import (
    POINT_LABELS,
    describe_due_rule,
    grace_cutoff,
    trend_chart,
)
from sessions.models import Attendance, CoachingSession

NOT_MEASURED = "not_measured"
STATUS_FILTER_CHOICES = [*((value, label) for value, label in PointStatus.choices if value in VERDICTS), (NOT_MEASURED, "Not measured yet")]
DASHBOARD_STAGES = [Engagement.Stage.ACTIVE, Engagement.Stage.COMPLETED]
# Worst first: the practice dashboard lists engagements needing attention at the top.
STATUS_RANK = {
    PointStatus.OFF_TRACK: 0, PointStatus.NOT_ACHIEVED: 0,
    PointStatus.AT_RISK: 1, PointStatus.PARTLY_ACHIEVED: 1,
    PointStatus.ON_TRACK: 2, PointStatus.ACHIEVED: 2,
}


# --- Annotations shared by both dashboards -------------------------------------------------------------


def _count(queryset: QuerySet, by: str) -> Coalesce:
    """COUNT(*) of `queryset` rows per outer row, as a scalar subquery (0 when there are none)."""
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_progress(engagements: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """Join each engagement's summary (measurement/summaries/, kept by the subscribers) and annotate
    what the lists filter and sort on: `sessions_used`, `sessions_contracted` (the contract in force),
    `latest_status` (the latest closed point's verdict; a baseline round has none),
    `latest_status_reason`, `latest_point_kind`. One query with the rows, however many there are."""
    return engagements.select_related("summary").annotate(
        sessions_used=Coalesce(F("summary__sessions_used"), Value(0)),
        sessions_contracted=F("summary__sessions_contracted"),
        latest_status=Coalesce(F("summary__latest_status"), Value("")),
        # None, not "", where no point has a verdict yet (as a subquery finding nothing would say).
        latest_status_reason=NullIf(F("summary__latest_status_reason"), Value(""), output_field=TextField()),
        latest_point_kind=NullIf(F("summary__latest_point_kind"), Value(""), output_field=CharField()),
    )


def filter_engagements(
    engagements: QuerySet[Engagement], *, stage: str = "", status: str = "", coach_id: int | None = None,
) -> QuerySet[Engagement]:
    """Narrow an annotated queryset (`with_progress`) by stage, latest status and coach."""
    if stage:
        engagements = engagements.filter(stage=stage)
    if status == NOT_MEASURED:
        engagements = engagements.filter(latest_status="")
    elif status:
        engagements = engagements.filter(latest_status=status)
    if coach_id:
        engagements = engagements.filter(coach_id=coach_id)
    return engagements


# --- The sponsor's dashboard ----------------------------------------------------------------------------


def sponsored_engagements(viewer: Viewer) -> QuerySet[Engagement]:
    """The engagements on the sponsor `viewer`'s dashboard: those whose progress they see as their
    sponsor, active or completed, annotated with their progress. The dashboard's views, its CSV and
    its engagement pages all start here."""
    # As a sponsor only: a sponsor who is also a practice admin or a coachee sees just theirs here.
    return with_progress(visible_progress(viewer, acting_as=SPONSOR).filter(stage__in=DASHBOARD_STAGES)).order_by(
        "coachee__full_name", "pk"
    )


def sponsored_engagement(viewer: Viewer, engagement_id: int) -> Engagement:
    """One engagement of the sponsor `viewer`'s dashboard; Http404 for any other."""
    engagement = sponsored_engagements(viewer).filter(pk=engagement_id).first()
    if engagement is None:
        raise Http404
    return engagement


def coaches_of(engagements: QuerySet[Engagement]) -> list[tuple[int, str]]:
    """(id, name) of the coaches of `engagements`, for the coach filter. One query."""
    coaches = User.objects.filter(pk__in=engagements.order_by().values("coach_id")).order_by("full_name", "pk")
    return [(coach.pk, coach.get_full_name() or coach.email) for coach in coaches]


def shared_summaries(engagement: Engagement) -> QuerySet[CoachingSession]:
    """The logged sessions whose summary the coachee chose to share with the sponsor: number, date and
    summary only (the query never reads notes, goals or anything else)."""
    return (
        CoachingSession.objects.filter(engagement=engagement, summary_shared_with_sponsor=True, logged_at__isnull=False)
        .exclude(summary="").order_by("booking__starts_at").values("number", "booking__starts_at", "summary")
    )


# --- Points, objectives and ratings of a page of rows, in one query each ---------------------------------


@dataclass
class ObjectiveTrend:
    """One objective of the contract in force: baseline, target, each closed point's ratings by
    rater and its computed result."""

    objective: Objective
    kinds: list[str]
    scores: dict[str, dict[str, float | None]]
    results: dict[str, ObjectiveResult] = field(default_factory=dict)

    @property
    def latest_result(self) -> ObjectiveResult | None:
        return self.results.get(MeasurementPoint.Kind.END) or self.results.get(MeasurementPoint.Kind.MID)

    @property
    def full_chart(self) -> SafeString:
        return self.chart(compact=False)

    def chart(self, *, compact: bool = True) -> SafeString:
        means = {kind: float(result.score) for kind, result in self.results.items() if result.score is not None}
        return trend_chart(self.objective, kinds=self.kinds, scores=self.scores, means=means, compact=compact)


@dataclass
class Progress:
    """What a dashboard row shows besides its annotations: the next point and the stakeholder response
    rates from the engagement's summary; the points themselves (and the trends) where a page asks."""

    summary: EngagementSummary | None = None
    points: list[MeasurementPoint] = field(default_factory=list)
    trends: list[ObjectiveTrend] = field(default_factory=list)

    @property
    def point_awaiting_sponsor(self) -> MeasurementPoint | None:
        """With `load_progress(sponsor=…)`: a due point awaiting that sponsor's rating."""
        return next((p for p in self.points if getattr(p, "awaits_sponsor", False)), None)

    @property
    def stakeholder_rates(self) -> list[str]:
        """"Mid-point: 3 of 4" for each point stakeholders were asked at (fallen due, someone named).
        Answers count only in groups at their minimum (the summary's rule); with none there, the rate
        says "fewer than 3" rather than a 0 that would be untrue."""
        rates = self.summary.stakeholder_rates if self.summary else []
        return [
            f"{POINT_LABELS[rate['kind']]}: {rate['answered'] or f'fewer than {STAKEHOLDER_MINIMUM}'} of {rate['named']}"
            for rate in rates
        ]

    def describe_next(self, *, overdue_before: datetime | None = None) -> str:
        if self.summary is None or not self.summary.points_scheduled:
            return "Not scheduled yet"
        return describe_point(next_point(self.summary), overdue_before=overdue_before)


def next_point(summary: EngagementSummary) -> MeasurementPoint | None:
    """The summary's next point, as an unsaved MeasurementPoint carrying its kind and due rule (what
    `describe_point` reads); None when every point is closed."""
    if not summary.next_point_kind:
        return None
    return MeasurementPoint(
        kind=summary.next_point_kind, due_after_sessions=summary.next_point_due_after_sessions,
        due_on=summary.next_point_due_on, closes_on=summary.next_point_closes_on,
        fell_due_at=summary.next_point_fell_due_at,
    )


def summary_of(engagement: Engagement) -> EngagementSummary | None:
    """The summary joined by `with_progress` (None for an engagement not summarised yet)."""
    try:
        return engagement.summary
    except EngagementSummary.DoesNotExist:
        return None


def describe_point(point: MeasurementPoint | None, *, overdue_before: datetime | None = None) -> str:
    """"Mid-point: after 3 sessions held or on 4 March 2027", "End-point: due since 2 May 2027 (overdue)":
    overdue when it fell due before `overdue_before` (`selectors.grace_cutoff`); "Baseline round: open,
    closes on 16 December 2026" (a round that closes by itself is never overdue)."""
    if point is None:
        return "None left"
    label = POINT_LABELS[point.kind]
    if point.fell_due_at is not None and point.closes_on is not None:
        return f"{label}: open, closes on {point.closes_on.day} {point.closes_on:%B %Y}"
    if point.fell_due_at is not None:
        day = timezone.localtime(point.fell_due_at).date()
        overdue = overdue_before is not None and point.fell_due_at < overdue_before
        return f"{label}: due since {day.day} {day:%B %Y}{' (overdue)' if overdue else ''}"
    return f"{label}: {describe_due_rule(point)}"


def load_progress(engagements: list[Engagement], *, trends: bool = True, sponsor: Viewer | None = None) -> dict[int, Progress]:
    """Each engagement's summary (joined by `with_progress`, so no query) and, for a page that shows
    more, its points (with `sponsor`: whether each awaits that sponsor's rating) and, with `trends`, the
    in-force objectives with closed points' ratings and results, keyed by engagement id. One query for
    the points, three more for the trends, however many engagements; none without either. Only closed
    points' ratings are shown: a sponsor who rates never sees the others' ratings of an open point this
    way."""
    ids = [engagement.pk for engagement in engagements]
    progress = {engagement.pk: Progress(summary=summary_of(engagement)) for engagement in engagements}
    if not ids or not (trends or sponsor is not None):
        return progress
    points = MeasurementPoint.objects.filter(engagement_id__in=ids).order_by("engagement_id", "kind")
    if sponsor is not None:
        # In the same query: whether the point awaits this sponsor's own rating (`awaits_sponsor`).
        points = points.annotate(
            awaits_sponsor=ExpressionWrapper(awaits_rating_by(sponsor, "sponsor"), output_field=BooleanField())
        )
    for point in points:
        progress[point.engagement_id].points.append(point)
    for item in progress.values():
        item.points = in_journey_order(item.points)
    if not trends:
        return progress

    objectives = Objective.objects.filter(
        version__engagement_id__in=ids, version__status=ContractVersion.Status.ACCEPTED
    ).annotate(engagement_id=F("version__engagement_id")).order_by("version_id", "position")
    # Ratings and results name the objective of the version rated; an amendment copies the
    # objectives into a new version, so they are matched to the version in force by position.
    ratings = Rating.objects.filter(point__engagement_id__in=ids, point__closed_at__isnull=False).values_list(
        "point__engagement_id", "point__kind", "objective__position", "role", "score"
    )
    scores: dict[tuple[int, int], dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for engagement_id, kind, position, role, score in ratings:
        scores[engagement_id, position][role][kind] = score
    results: dict[tuple[int, int], dict[str, ObjectiveResult]] = defaultdict(dict)
    for result in ObjectiveResult.objects.filter(point__engagement_id__in=ids).annotate(
        engagement_id=F("point__engagement_id"), kind=F("point__kind"), position=F("objective__position"),
    ):
        results[result.engagement_id, result.position][result.kind] = result

    for objective in objectives:
        item = progress[objective.engagement_id]
        kinds = [p.kind for p in item.points] or [MeasurementPoint.Kind.MID, MeasurementPoint.Kind.END]
        by_role = scores.get((objective.engagement_id, objective.position), {})
        item.trends.append(ObjectiveTrend(
            objective=objective, kinds=kinds,
            scores={role: {kind: float(score) for kind, score in by_role.get(role, {}).items()} for role in objective.raters},
            results=results.get((objective.engagement_id, objective.position), {}),
        ))
    return progress


@dataclass
class Row:
    """One engagement as a dashboard lists it."""

    engagement: Engagement
    progress: Progress
    next_point_text: str = ""

    @property
    def status_label(self) -> str:
        return PointStatus(self.engagement.latest_status).label if self.engagement.latest_status else "Not measured yet"

    @property
    def status_rank(self) -> int:
        return STATUS_RANK.get(self.engagement.latest_status, 3)


def rows_for(engagements: list[Engagement], *, trends: bool = True, sponsor: Viewer | None = None) -> list[Row]:
    progress = load_progress(engagements, trends=trends, sponsor=sponsor)
    return [Row(engagement=engagement, progress=progress[engagement.pk]) for engagement in engagements]


# --- CSV ---------------------------------------------------------------------------------------------

CSV_HEADER = [
    "Coachee", "Coach", "Stage", "Sessions used", "Sessions contracted", "Next measurement point",
    "Status", "Status measured at", "Reason",
]
def csv_rows(engagements: QuerySet[Engagement]) -> list[list]:
    """The filtered rows as CSV lines, header first (tenancy.spreadsheets makes them formula-safe).
    One query: the summaries come joined."""
    listed = list(engagements.select_related("coachee", "coach"))
    overdue_before = grace_cutoff()
    lines = [CSV_HEADER]
    for engagement in listed:
        progress = Progress(summary=summary_of(engagement))
        lines.append([
            engagement.coachee.get_full_name() or engagement.coachee.email,
            engagement.coach.get_full_name() if engagement.coach else "",
            engagement.get_stage_display(),
            engagement.sessions_used,
            engagement.sessions_contracted or "",
            progress.describe_next(overdue_before=overdue_before),
            PointStatus(engagement.latest_status).label if engagement.latest_status else "Not measured yet",
            POINT_LABELS.get(engagement.latest_point_kind, ""),
            engagement.latest_status_reason or "",
        ])
    return lines


# --- The practice admin's dashboard ------------------------------------------------------------------


def stage_counts() -> list[tuple[str, str, int]]:
    """(stage, label, count) for every stage, in the journey's order. One query."""
    counts = dict(Engagement.objects.order_by().values_list("stage").annotate(n=Count("pk")))
    return [(value, label, counts.get(value, 0)) for value, label in Engagement.Stage.choices]


def points_due(practice: Practice, *, now: datetime | None = None) -> QuerySet[MeasurementPoint]:
    """Points that fell due and are not closed, oldest first, each with `overdue` (past the practice's
    grace period; a round that closes by itself on its date never is) annotated."""
    grace_ends = grace_cutoff(now)
    return MeasurementPoint.objects.filter(closed_at__isnull=True, fell_due_at__isnull=False).annotate(
        overdue=Case(When(fell_due_at__lt=grace_ends, closes_on__isnull=True, then=Value(True)), default=Value(False)),
    ).select_related("engagement__coachee", "engagement__coach").order_by("fell_due_at", "pk")


def points_due_counts(practice: Practice, *, now: datetime | None = None) -> dict[str, int]:
    """{"due": n, "overdue": m}: overdue ones are counted in "due" too. One query."""
    grace_ends = grace_cutoff(now)
    return MeasurementPoint.objects.filter(closed_at__isnull=True, fell_due_at__isnull=False).aggregate(
        due=Count("pk"), overdue=Count("pk", filter=Q(fell_due_at__lt=grace_ends, closes_on__isnull=True)),
    )


def engagements_by_track() -> QuerySet[Engagement]:
    """Active and completed engagements with their progress, off track first, then at risk, on
    track, and those not measured yet."""
    rank = Case(
        *[When(latest_status=status, then=Value(value)) for status, value in STATUS_RANK.items()],
        default=Value(3), output_field=IntegerField(),
    )
    return with_progress(
        Engagement.objects.filter(stage__in=DASHBOARD_STAGES).select_related("coachee", "coach")
    ).annotate(track_rank=rank).order_by("track_rank", "coachee__full_name", "pk")


def month_bounds(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The month `now` falls in, in `zone`, as aware datetimes [start, end)."""
    first = now.astimezone(zone).date().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (
        datetime(first.year, first.month, 1, tzinfo=zone),
        datetime(following.year, following.month, 1, tzinfo=zone),
    )


@dataclass
class CoachLoad:
    coach: User
    capacity: int | None
    load: int
    held_this_month: int

    @property
    def over_capacity(self) -> bool:
        return self.capacity is not None and self.load > self.capacity

    @property
    def percent(self) -> int:
        return round(100 * self.load / self.capacity) if self.capacity else 0


def coach_loads(*, now: datetime | None = None) -> list[CoachLoad]:
    """Every active coach: coachees carried (the journey's one definition, CARRIED_STAGES) against the
    capacity of their profile, and sessions held this month (the practice's month). One query."""
    start, end = month_bounds(now or timezone.now(), ZoneInfo(require_practice().time_zone))
    coach = OuterRef("user_id")
    memberships = Membership.objects.filter(role=Role.COACH, is_active=True).select_related("user").annotate(
        capacity=Subquery(
            CoachProfile.objects.filter(user=coach).order_by().values("capacity")[:1], output_field=IntegerField()
        ),
        load=_count(Engagement.objects.filter(coach=coach, stage__in=CARRIED_STAGES), "coach"),
        # From the coach's calendar (index booking_coach_calendar), then the sessions held.
        held_this_month=_count(Booking.objects.filter(
            coach=coach, kind=Booking.Kind.COACHING, starts_at__gte=start, starts_at__lt=end,
            coaching_session__attendance=Attendance.HELD,
        ), "coach"),
    ).order_by("user__full_name", "user_id")
    return [
        CoachLoad(coach=m.user, capacity=m.capacity, load=m.load, held_this_month=m.held_this_month)
        for m in memberships
    ]
