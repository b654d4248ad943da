"""Reads for measurement. Who may see an engagement's objectives, ratings, status and progress
report is the one table in engagements/access.py (applied by measurement/access.py). Inside an
engagement, a rater sees the others' ratings of an open point only once they have submitted their
own; the coach sees them all along (and everyone, once the point is closed).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from coachhub.tenancy.context import require_practice
from coachhub.tenancy.viewers import Viewer
from engagements.access import (
    ADMIN,
    COACH,
    COACHEE,
    MEASURED_STAGES,
    Data,
    may_see,
    party_role,
    relations_to,
)
from engagements.models import ContractVersion, Engagement, Objective
from engagements.retention import retention_ends_at
from measurement import compute
from measurement.access import awaits_rating_by, points_rated_by
from measurement.models import (
    MeasurementPoint,
    ObjectiveResult,
    PointMove,
    RaterRole,
    Rating,
    RatingRevision,
)
from measurement.stakeholders.results import (
    PointStakeholders,
    closing_means,
    series_label,
    stakeholder_results,
)
from sessions.models import Attendance, CoachingSession
from sessions.selectors import Commitment, commitment, session_counts

ROLE_LABELS = dict(RaterRole.choices)
RATER_ORDER = {"coachee": 0, "coach": 1, "sponsor": 2}
POINT_LABELS = dict(MeasurementPoint.Kind.choices)


def sessions_held(engagement_id: int) -> int:
    """Sessions marked held: the progress the on/off-track rule measures against."""
    return session_counts(engagement_id)["held"]


# --- What one viewer sees of an engagement's measurement ---------------------------------------------------


@dataclass
class PointView:
    """One measurement point as a given viewer may see it."""

    point: MeasurementPoint
    objectives: list[Objective]
    ratings: list[Rating]
    results: dict[int, ObjectiveResult]
    moves: list[PointMove]
    viewer_role: str | None
    ratings_visible: bool
    rated_roles: list[str]
    waiting_for: list[tuple[str, object]]
    # Stakeholder feedback (measurement/stakeholders/results.py): None when the contract names no groups.
    stakeholders: PointStakeholders | None = None

    @property
    def label(self) -> str:
        return POINT_LABELS[self.point.kind]

    @property
    def is_due(self) -> bool:
        return self.point.fell_due_at is not None and not self.point.is_closed

    @property
    def viewer_rates(self) -> bool:
        return self.viewer_role is not None and any(self.viewer_role in o.raters for o in self.objectives)

    @property
    def viewer_has_rated(self) -> bool:
        return self.viewer_role in self.rated_roles

    def rating(self, objective: Objective, role: str) -> Rating | None:
        return next((r for r in self.ratings if r.objective_id == objective.pk and r.role == role), None)

    def mine(self) -> dict[int, Rating]:
        return {r.objective_id: r for r in self.ratings if r.role == self.viewer_role}

    def visible_ratings(self) -> list[Rating]:
        """What the viewer may read now: everything when visible, else only their own."""
        if self.ratings_visible:
            return self.ratings
        return [r for r in self.ratings if r.role == self.viewer_role]

    def due_rule(self) -> str:
        return describe_due_rule(self.point)

    def stakeholder_table(self) -> dict | None:
        """The closed point's stakeholder data table: a row per group line (shown groups' means per
        objective; the others "not enough responses to show") and the Stakeholders row."""
        feedback = self.stakeholders
        if feedback is None or not feedback.closed:
            return None
        objectives = [o for o in self.objectives if o.rated_by_stakeholders]
        return {
            "objectives": objectives,
            "rows": [
                {"name": g.name, "merged": g.merged, "responses": g.responses, "shown": g.shown, "text": g.text,
                 "means": [g.means.get(o.position) for o in objectives]}
                for g in feedback.groups
            ],
            "total": {"label": feedback.label, "means": [feedback.mean(o.position) for o in objectives]},
            "comments": feedback.comments,
        }

    def load_corrections(self) -> None:
        """Give each rating the viewer may read `earlier`: the submissions it corrected, oldest first
        (one query, for the point's page)."""
        visible = {rating.pk: rating for rating in self.visible_ratings()}
        for rating in visible.values():
            rating.earlier = []
        revisions = RatingRevision.objects.filter(rating_id__in=list(visible)).order_by("rating_id", "created_at", "pk")
        by_rating: dict[int, list[RatingRevision]] = {}
        for revision in revisions:
            by_rating.setdefault(revision.rating_id, []).append(revision)
        for rating_id, history in by_rating.items():
            visible[rating_id].earlier = history[:-1]


def describe_due_rule(point: MeasurementPoint) -> str:
    parts = []
    if point.due_after_sessions is not None:
        parts.append(f"after {point.due_after_sessions} session{'s' if point.due_after_sessions != 1 else ''} held")
    if point.due_on is not None:
        parts.append(f"on {point.due_on.day} {point.due_on:%B %Y}")
    return " or ".join(parts)


@dataclass
class ObjectiveRow:
    """One objective with its scores at each point (what the viewer may see) and its chart."""

    objective: Objective
    cells: list[dict] = field(default_factory=list)
    chart: SafeString | str = ""


@dataclass
class Progress:
    engagement: Engagement
    contract: ContractVersion | None
    points: list[PointView]
    rows: list[ObjectiveRow]
    sessions_held: int
    is_coach: bool
    is_admin: bool
    sessions_used: int = 0
    rule: str = compute.RULE_IN_WORDS
    # Coachee and coach see how many answered, per group; everyone sees the results (anonymous).
    sees_stakeholder_counts: bool = False

    @property
    def retention_ends_at(self):
        """When the contract's retention period ends, for a completed engagement."""
        if self.engagement.completed_at is None or self.contract is None:
            return None
        return retention_ends_at(self.engagement, self.contract)

    @property
    def closed_points(self) -> list[PointView]:
        return [view for view in self.points if view.point.is_closed]

    @property
    def latest_closed(self) -> PointView | None:
        closed = [view for view in self.points if view.point.is_closed]
        return max(closed, key=lambda view: view.point.closed_at) if closed else None

    @property
    def end_point(self) -> PointView | None:
        return next((view for view in self.points if view.point.kind == MeasurementPoint.Kind.END), None)

    @property
    def can_complete(self) -> bool:
        end = self.end_point
        return self.is_coach and self.engagement.stage == Engagement.Stage.ACTIVE and end is not None and end.point.is_closed


def expected_raters(version: ContractVersion, objectives: list[Objective]) -> dict[str, object]:
    """role → user of everyone who rates at least one objective (only the contract's parties), in
    the order coachee, coach, sponsor."""
    parties = {role: user for role, user in version.parties()}
    roles = {role for objective in objectives for role in objective.raters}
    return {role: parties[role] for role in ("coachee", "coach", "sponsor") if role in roles and role in parties}


def missing_raters(
    point: MeasurementPoint, *, objectives: list[Objective] | None = None, given: set[tuple[int, str]] | None = None,
) -> list[tuple[str, object]]:
    """(role, user) of the raters who have not yet rated every objective they rate at the point: the
    one rule for the point page, closing and the reminders (nobody, at a baseline round: only the
    stakeholders answer it). `objectives` and `given` (objective id, role) pairs may come already
    loaded; otherwise they are read (two queries)."""
    if not point.parties_rate:
        return []
    objectives = list(point.version.objectives.all()) if objectives is None else objectives
    if given is None:
        given = set(Rating.objects.filter(point=point, objective__version_id=point.version_id).values_list(
            "objective_id", "role"
        ))
    needed = {(objective.pk, role) for objective in objectives for role in objective.raters}
    return [
        (role, user) for role, user in expected_raters(point.version, objectives).items()
        if any((objective, rater) not in given for objective, rater in needed if rater == role)
    ]


def grace_cutoff(now: datetime | None = None) -> datetime:
    """Points that fell due before this moment are past their grace period (practice setting): the
    coach may close them without the missing raters, and dashboards call them overdue."""
    return (now or timezone.now()) - timedelta(days=require_practice().measurement_grace_days)


def grace_ends_at(point: MeasurementPoint) -> datetime | None:
    """When the point's grace period ends (None while it has not fallen due)."""
    if point.fell_due_at is None:
        return None
    return point.fell_due_at + timedelta(days=require_practice().measurement_grace_days)


def may_close(view: PointView, *, is_coach: bool, now: datetime | None = None) -> bool:
    """The coach closes a due, open point once everyone has rated, or when the grace period is over."""
    if not is_coach or not view.is_due:
        return False
    return not view.waiting_for or (now or timezone.now()) >= grace_ends_at(view.point)


def _view(point: MeasurementPoint, viewer: Viewer | None, role: str | None, *, is_coach: bool) -> PointView:
    objectives = list(point.version.objectives.all())
    # Coachee, coach, sponsor: the order of the charts' series and the rating form's raters.
    ratings = sorted(
        (r for r in point.ratings.all() if r.objective.version_id == point.version_id),
        key=lambda r: (r.objective.position, RATER_ORDER.get(r.role, 9)),
    )
    rater_roles = list(expected_raters(point.version, objectives)) if point.parties_rate else []
    waiting = missing_raters(point, objectives=objectives, given={(r.objective_id, r.role) for r in ratings})
    rated = [r for r in rater_roles if r not in dict(waiting)]
    viewer_rates = role is not None and role in rater_roles
    # No viewer: the progress report, which shows closed points only.
    visible = point.is_closed or (
        viewer is not None and (is_coach or not viewer_rates or any(r.role == role for r in ratings))
    )
    return PointView(
        point=point, objectives=objectives, ratings=ratings,
        results={result.objective_id: result for result in point.results.all()},
        moves=list(point.moves.all()), viewer_role=role if viewer_rates else None,
        ratings_visible=visible, rated_roles=rated, waiting_for=waiting,
    )


def _points(engagement: Engagement) -> QuerySet[MeasurementPoint]:
    return MeasurementPoint.objects.filter(engagement=engagement).select_related(
        "version", "version__coachee", "version__coach", "version__sponsor", "closed_by",
    ).prefetch_related(
        "version__objectives",
        Prefetch("ratings", queryset=Rating.objects.select_related("objective").order_by("objective__position", "role")),
        Prefetch("results", queryset=ObjectiveResult.objects.order_by("objective__position")),
        Prefetch("moves", queryset=PointMove.objects.select_related("moved_by")),
    )  # in the journey's order: baseline, mid, end (Meta.ordering)


def _score(view: PointView, objective: Objective, role: str | None = None) -> float | None:
    if role is not None:
        rating = next((r for r in view.visible_ratings() if r.objective.position == objective.position and r.role == role), None)
        return float(rating.score) if rating else None
    if view.point.is_closed:
        result = next((r for r in view.results.values() if r.objective_id in {o.pk for o in view.objectives if o.position == objective.position}), None)
        return float(result.score) if result and result.score is not None else None
    return None


def progress_for(
    engagement: Engagement, viewer: Viewer | None, *, charts: bool = True, compact: bool = True,
    commitment_now: Commitment | None = None,
) -> Progress:
    """Everything the measurement pages, the engagement pages' panel and the PDF (no viewer) show,
    as `viewer` may see it (the engagement loaded through measurement.access). A fixed number of
    queries; two fewer when the page has read the engagement's `commitment_now` already."""
    relations = relations_to(viewer, engagement) if viewer is not None else frozenset()
    is_coach, is_admin = COACH in relations, ADMIN in relations
    points = list(_points(engagement))
    # The party each point's version asks to rate (access.party_role), once per version.
    roles = {point.version_id: party_role(viewer, point.version) for point in points} if viewer is not None else {}
    views = [_view(point, viewer, roles.get(point.version_id), is_coach=is_coach) for point in points]
    if any(point.version.stakeholder_groups for point in points):
        feedback = stakeholder_results(points)
        for view in views:
            view.stakeholders = feedback.get(view.point.pk) if view.point.version.stakeholder_groups else None
    commitment_now = commitment_now or commitment(engagement)
    contract = commitment_now.contract
    objectives = _objectives_in_force(contract, views)
    rows = []
    for objective in objectives:
        row = ObjectiveRow(objective=objective)
        for view in views:
            match = next((o for o in view.objectives if o.position == objective.position), None)
            result = view.results.get(match.pk) if match else None
            row.cells.append({
                "view": view, "label": view.label, "result": result,
                "ratings": {r.role: r for r in view.visible_ratings() if match and r.objective_id == match.pk},
                "stakeholders": _stakeholder_cell(view, match),
            })
        if charts:
            row.chart = objective_chart_for(objective, views, compact=compact)
        rows.append(row)
    return Progress(
        engagement=engagement, contract=contract, points=views, rows=rows,
        sessions_held=commitment_now.held, is_coach=is_coach, is_admin=is_admin, sessions_used=commitment_now.used,
        rule=rule_in_words(contract), sees_stakeholder_counts=bool(relations & {COACH, COACHEE}),
    )


def _objectives_in_force(contract: ContractVersion | None, views: list[PointView]) -> list[Objective]:
    """The objectives of the contract in force; taken from the points' prefetch when they were
    measured against it, as they usually are."""
    if contract is None:
        return views[-1].objectives if views else []
    measured = next((view.objectives for view in views if view.point.version_id == contract.pk), None)
    return measured if measured is not None else list(contract.objectives.all())


def _stakeholder_cell(view: PointView, objective: Objective | None) -> dict | None:
    """An objective's stakeholder figures at a closed point: the mean, n and the shown groups' means."""
    feedback = view.stakeholders
    if feedback is None or objective is None or not objective.rated_by_stakeholders or not feedback.closed:
        return None
    return {
        "label": feedback.label, "mean": feedback.mean(objective.position),
        "groups": [(group.name, group.means.get(objective.position) if group.shown else None, group.text) for group in feedback.groups],
    }


def objective_chart_for(objective: Objective, views: list[PointView], *, compact: bool = True) -> SafeString:
    """Baseline (round) → mid → end, one line per rater (as far as the viewer may see) and the mean score."""
    kinds = [view.point.kind for view in views]
    by_kind = dict(zip(kinds, views, strict=True))
    scores = {
        role: {kind: _score(view, objective, role) for kind, view in by_kind.items()} for role in objective.raters
    }
    means = {kind: _score(view, objective) for kind, view in by_kind.items()}
    extra = {}
    if objective.rated_by_stakeholders:
        shown = {
            kind: view.stakeholders for kind, view in by_kind.items()
            if view.stakeholders is not None and view.stakeholders.closed and view.stakeholders.n
        }
        if shown:
            # n of the latest closed point: the responses behind the line's last value.
            latest = max(shown.items(), key=lambda item: by_kind[item[0]].point.closed_at)[1]
            extra[series_label(latest.n)] = {
                kind: (float(feedback.mean(objective.position)) if feedback.mean(objective.position) is not None else None)
                for kind, feedback in shown.items()
            }
    return trend_chart(objective, kinds=kinds, scores=scores, means=means, compact=compact, extra=extra)


def trend_chart(
    objective: Objective, *, kinds: list[str], scores: dict[str, dict[str, float | None]],
    means: dict[str, float | None], compact: bool = True, extra: dict[str, dict[str, float | None]] | None = None,
) -> SafeString:
    """The one shape every objective's chart takes (pages, dashboards, PDFs): baseline, then each
    point's ratings by rater (`scores[role][kind]`) and its mean score (`means[kind]`).

    The baseline round, where there is one, is the chart's first position: a line with a value
    there (the stakeholders' mean, once the round has closed with enough answers) starts from it, so
    the chart shows the change from where they started; every other line starts from the baseline
    agreed in the contract."""
    from measurement.charts import objective_chart

    later = [kind for kind in kinds if kind != MeasurementPoint.Kind.BASELINE]

    def from_baseline(values: dict[str, float | None]) -> list[float | None]:
        start = values.get(MeasurementPoint.Kind.BASELINE)
        return [float(objective.baseline) if start is None else start] + [values.get(kind) for kind in later]

    # A rater with no rating yet has no line.
    series: dict[str, list[float | None]] = {}
    for role in objective.raters:
        values = from_baseline(scores.get(role, {}))
        if any(value is not None for value in values[1:]):
            series[ROLE_LABELS[role]] = values
    for label, values in (extra or {}).items():
        series[label] = from_baseline(values)
    series["Score (mean)"] = from_baseline(means)
    return objective_chart(
        title=f"Objective {objective.position}: {objective.description[:80]}", baseline=objective.baseline,
        target=objective.target, labels=["Baseline"] + [POINT_LABELS[kind] for kind in later], series=series,
        compact=compact,
    )


def points_to_rate(viewer: Viewer, role: str) -> QuerySet[MeasurementPoint]:
    """The points awaiting `viewer`'s rating as `role` (access.awaits_rating_by), oldest first. Two
    queries at most on a home page."""
    return (
        MeasurementPoint.objects.filter(awaits_rating_by(viewer, role))
        .select_related("engagement__coachee").order_by("fell_due_at")
    )


def coach_points(viewer: Viewer, *, now=None) -> tuple[list[MeasurementPoint], list[MeasurementPoint]]:
    """For the coach's home page, in one query: the open points they have still to rate, and those
    whose grace period (practice setting) is over, which they may close with the ratings given. (A
    baseline round is neither: the coach does not rate it, and it closes by itself.)"""
    cutoff = grace_cutoff(now)
    points = list(
        MeasurementPoint.objects.filter(points_rated_by(viewer, "coach"), engagement__stage=Engagement.Stage.ACTIVE).annotate(
            coach_rates=Exists(Objective.objects.filter(version=OuterRef("version"), rated_by_coach=True)),
            coach_rated=Exists(Rating.objects.filter(point=OuterRef("pk"), role="coach")),
        ).select_related("engagement__coachee").order_by("fell_due_at")
    )
    return (
        [point for point in points if point.coach_rates and not point.coach_rated],
        [point for point in points if point.fell_due_at <= cutoff],
    )


# --- Where an engagement's progress report is stored ---------------------------------------------------------


@functools.cache
def _report_layout() -> str:
    """A digest of the report's template, chart code and stylesheet: a new release that changes how
    the report looks gives stored reports new names, so they are rendered again."""
    from django.contrib.staticfiles import finders
    from django.template.loader import get_template

    from measurement import charts

    sources = [get_template("measurement/pdf.html").origin.name, charts.__file__, finders.find("css/measurement-pdf.css")]
    digest = hashlib.sha256()
    for source in filter(None, sources):
        with open(source, "rb") as file:
            digest.update(file.read())
    return digest.hexdigest()[:12]


def progress_storage_path(engagement: Engagement) -> str:
    """`practices/<practice>/progress/<engagement>/progress-<state>.pdf`, where <state> is 10 hex
    digits of a hash of everything the report shows (closed points, comments, sessions held, the
    contract in force, the stage, the names and emails of its people and client organisation, the
    practice's branding): anything changing gives a new name. So a report is never served with a name
    someone has since changed, or with the name of a person since erased."""
    practice = require_practice()
    points = MeasurementPoint.objects.filter(engagement=engagement).order_by("kind").values_list(
        "pk", "version_id", "closed_at", "status", "coach_comment", "due_after_sessions", "due_on",
    )
    sessions = commitment(engagement)
    contract = sessions.contract
    people = [engagement.coachee, engagement.coach, contract.sponsor if contract else None]
    parts = [
        engagement.stage, str(engagement.completed_at), str(contract.pk if contract else None), str(sessions.held),
        str(sessions.used), _report_layout(),
        *(f"{person.get_full_name()} <{person.email}>" for person in people if person is not None),
        contract.client_organisation.name if contract and contract.client_organisation else "",
        practice.name, practice.brand_colour, practice.logo.name or "", *(repr(point) for point in points),
    ]
    state = hashlib.sha256("|".join(parts).encode()).hexdigest()[:10]
    return f"practices/{engagement.practice_id}/progress/{engagement.pk}/progress-{state}.pdf"


def progress_panel(
    *, viewer: Viewer, engagement: Engagement, commitment_now: Commitment | None = None,
) -> Progress | None:
    """The engagement pages' progress panel, or None when `viewer` may not see the measurement
    (or there is nothing measured yet)."""
    if engagement.stage not in MEASURED_STAGES or not may_see(viewer, Data.PROGRESS, engagement):
        return None
    progress = progress_for(engagement, viewer, commitment_now=commitment_now)
    return progress if progress.points else None


def last_held_session_date(engagement_id: int) -> date | None:
    """The day the engagement's last held session took place (in the current time zone), if any."""
    last = (
        CoachingSession.objects.filter(engagement_id=engagement_id, attendance=Attendance.HELD)
        .order_by("-booking__starts_at").values_list("booking__starts_at", flat=True).first()
    )
    return timezone.localdate(last) if last else None


def stakeholders_count(version: ContractVersion | None) -> bool:
    """Whether the stakeholders' mean counts in the rule for this contract (practice setting)."""
    return bool(version is not None and version.stakeholder_groups and require_practice().stakeholders_in_rule)


def rule_in_words(version: ContractVersion | None) -> str:
    """The rule as the page states it, saying whether stakeholder feedback counts in it."""
    if version is None or not version.stakeholder_groups:
        return compute.RULE_IN_WORDS
    if stakeholders_count(version):
        return compute.RULE_IN_WORDS + " " + compute.STAKEHOLDERS_COUNTED
    return compute.RULE_IN_WORDS + " " + compute.STAKEHOLDERS_NOT_COUNTED


def point_input(point: MeasurementPoint, *, held: int) -> compute.PointInput:
    """The plain inputs of the rule, read from the point's version and ratings."""
    objectives = list(point.version.objectives.all())
    by_objective: dict[int, dict[str, float]] = {}
    for objective_id, role, score in Rating.objects.filter(point=point).values_list("objective_id", "role", "score"):
        by_objective.setdefault(objective_id, {})[role] = score
    counted = stakeholders_count(point.version)
    if counted:
        # The practice counts the stakeholders' mean (groups at their minimum only) as one more rater.
        means, _ = closing_means(point)
        for objective in objectives:
            if objective.rated_by_stakeholders and means.get(objective.position) is not None:
                by_objective.setdefault(objective.pk, {})[compute.STAKEHOLDERS] = float(means[objective.position])
    return compute.PointInput(
        kind=point.kind, sessions_held=held, sessions_contracted=point.version.sessions,
        tolerance=require_practice().on_track_tolerance,
        objectives=tuple(
            compute.ObjectiveInput(
                key=objective.pk, position=objective.position, baseline=objective.baseline, target=objective.target,
                raters=tuple(objective.raters) + ((compute.STAKEHOLDERS,) if counted and objective.rated_by_stakeholders else ()),
                ratings=by_objective.get(objective.pk, {}),
            )
            for objective in objectives
        ),
    )
