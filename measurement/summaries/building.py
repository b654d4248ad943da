"""Building the engagement summary from the source tables: `build` is the one definition of every
field, used alike by the subscribers (`refresh_summary`, in the writer's transaction) and by the
rebuild (`rebuild_summaries`), so a kept row always equals a rebuilt one."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Greatest

from engagements.models import ChemistryCall, ContractVersion, Engagement, Objective
from measurement.models import (
    POINT_ORDER,
    SUMMARY_FIELDS,
    VERDICTS,
    EngagementSummary,
    MeasurementPoint,
    Nominee,
    ObjectiveResult,
    RatingRevision,
    StakeholderResponse,
)
from measurement.stakeholders.results import live_counts
from sessions.models import Attendance, CoachingSession
from sessions.selectors import contract_in_force, session_counts


def build(engagement: Engagement) -> dict[str, Any]:
    """Every field of `engagement`'s summary but its version, as `SUMMARY_FIELDS` lists them. Nine
    queries at most, however many sessions, points and objectives."""
    contract = contract_in_force(engagement)
    points = list(MeasurementPoint.objects.filter(engagement=engagement).select_related("version"))
    points.sort(key=lambda point: POINT_ORDER[point.kind])
    return {
        "coachee_id": engagement.coachee_id,
        "coach_id": engagement.coach_id,
        "client_organisation_id": engagement.client_organisation_id,
        "stage": engagement.stage,
        **_contract_facts(contract),
        **_session_facts(engagement),
        "objectives": _objectives(engagement, contract),
        **_point_facts(points),
        "stakeholder_rates": _stakeholder_rates(engagement, points),
        "last_activity_at": _last_activity(engagement),
    }


def _contract_facts(contract: ContractVersion | None) -> dict[str, Any]:
    """The contract in force: the accepted version (an amendment supersedes it once accepted)."""
    return {
        "contract_id": contract.pk if contract else None,
        "contract_number": contract.number if contract else None,
        "contract_sponsor_id": contract.sponsor_id if contract else None,
        "frequency": contract.frequency if contract else "",
        "session_minutes": contract.session_minutes if contract else None,
        "start_date": contract.start_date if contract else None,
        "end_date": contract.end_date if contract else None,
        "sessions_contracted": contract.sessions if contract else None,
    }


def _session_facts(engagement: Engagement) -> dict[str, Any]:
    """Sessions scheduled, held and used (the contract's rule, `counts_as_used`), and the earliest
    session still scheduled."""
    counts = session_counts(engagement.pk)
    following = (
        CoachingSession.objects.filter(engagement=engagement, attendance=Attendance.SCHEDULED).order_by("booking__starts_at", "pk")
        .values_list("pk", "booking__starts_at").first()
    )
    return {
        "sessions_scheduled": counts["scheduled"], "sessions_held": counts["held"], "sessions_used": counts["used"],
        "next_session_id": following[0] if following else None,
        "next_session_at": following[1] if following else None,
    }


def _objectives(engagement: Engagement, contract: ContractVersion | None) -> list[dict[str, Any]]:
    """The objectives in force with their latest result (the end-point's, else the mid-point's).
    Results name the objective of the version rated; an amendment copies the objectives into a new
    version, so they are matched to the version in force by position."""
    if contract is None:
        return []
    # position → (the point's place in the journey, score, status): the latest point wins.
    latest: dict[int, tuple[int, float | None, str]] = {}
    results = ObjectiveResult.objects.filter(
        point__engagement=engagement, point__kind__in=[MeasurementPoint.Kind.MID, MeasurementPoint.Kind.END],
    ).values_list("point__kind", "objective__position", "score", "status")
    for kind, position, score, status in results:
        if position not in latest or latest[position][0] < POINT_ORDER[kind]:
            latest[position] = (POINT_ORDER[kind], float(score) if score is not None else None, status)
    objectives = []
    for objective in Objective.objects.filter(version=contract).order_by("position"):
        _, score, status = latest.get(objective.position, (0, None, ""))
        objectives.append({
            "id": objective.pk, "position": objective.position, "title": objective.description,
            "score": score, "status": status,
        })
    return objectives


def _point_facts(points: list[MeasurementPoint]) -> dict[str, Any]:
    """The latest verdict (the last closed point with one) and the next point not yet closed."""
    judged = [point for point in points if point.closed_at is not None and point.status in VERDICTS]
    latest = max(judged, key=lambda point: (point.closed_at, POINT_ORDER[point.kind]), default=None)
    following = next((point for point in points if point.closed_at is None), None)
    return {
        "latest_point_kind": latest.kind if latest else "",
        "latest_status": latest.status if latest else "",
        "latest_status_reason": latest.status_reason if latest else "",
        "points_scheduled": len(points),
        "next_point_kind": following.kind if following else "",
        "next_point_due_after_sessions": following.due_after_sessions if following else None,
        "next_point_due_on": following.due_on if following else None,
        "next_point_closes_on": following.closes_on if following else None,
        "next_point_fell_due_at": following.fell_due_at if following else None,
    }


def _stakeholder_rates(engagement: Engagement, points: list[MeasurementPoint]) -> list[dict[str, Any]]:
    """Per point stakeholders were asked at (fallen due, someone approved): how many were asked and
    how many answered, counting only the groups whose count may be shown (results.live_counts) — a
    total over more would tell the others."""
    asked = [point for point in points if point.fell_due_at is not None]
    if not asked:
        return []
    named = Nominee.objects.filter(engagement=engagement, approval=Nominee.Approval.APPROVED).count()
    if not named:
        return []
    answered: dict[int, dict[str, int]] = {point.pk: {} for point in asked}
    rows = StakeholderResponse.objects.filter(point__in=asked).order_by().values_list("point_id", "group").annotate(n=Count("pk"))
    for point_id, group, n in rows:
        answered[point_id][group] = n
    return [
        {
            "kind": point.kind, "named": named,
            "answered": sum(n for n in live_counts(
                answered[point.pk], groups=[], minimum=point.version.stakeholder_minimum,
            ).values() if n is not None),
        }
        for point in asked
    ]


def _last_activity(engagement: Engagement):
    """When someone last did something in the journey, from the times the journey records: enquiry,
    match, calls booked and their outcomes, contracts sent and accepted, sessions booked and first
    logged (not each autosave of a draft), points falling due and closing, ratings given, completion.
    Never `updated_at`, which housekeeping such as erasure touches too. One query."""
    def latest(queryset, *fields: str) -> Subquery:
        moments = Greatest(*fields) if len(fields) > 1 else F(fields[0])
        return Subquery(queryset.annotate(moment=moments).order_by(F("moment").desc(nulls_last=True)).values("moment")[:1])

    engagement_ref = OuterRef("pk")
    return Engagement.objects.filter(pk=engagement.pk).annotate(at=Greatest(
        "created_at", "matched_at", "completed_at",
        latest(ChemistryCall.objects.filter(engagement=engagement_ref), "created_at", "outcome_recorded_at"),
        latest(ContractVersion.objects.filter(engagement=engagement_ref), "sent_at", "accepted_at"),
        latest(CoachingSession.objects.filter(engagement=engagement_ref), "created_at", "logged_at"),
        latest(MeasurementPoint.objects.filter(engagement=engagement_ref), "fell_due_at", "closed_at"),
        latest(RatingRevision.objects.filter(rating__point__engagement=engagement_ref), "created_at"),
    )).values_list("at", flat=True).get()


def refresh_summary(engagement_id: int) -> EngagementSummary:
    """Recompute the engagement's summary in the caller's transaction; its version rises when anything
    shown changed. Called by the subscribers on every event that may change it."""
    engagement = Engagement.objects.get(pk=engagement_id)
    facts = build(engagement)
    summary = EngagementSummary.objects.select_for_update().filter(engagement=engagement).first()
    if summary is None:
        return EngagementSummary.objects.create(engagement=engagement, **facts)
    if differences(summary, facts):
        for name, value in facts.items():
            setattr(summary, name, value)
        summary.version += 1
        summary.save()
    return summary


def refresh_summaries(engagement_ids) -> None:
    """`refresh_summary` for each of these engagements (for writes that reach several, such as erasure)."""
    for engagement_id in sorted(set(engagement_ids)):
        refresh_summary(engagement_id)


def stale_summaries() -> list[int]:
    """The engagements whose kept summary differs from a fresh build (or is missing): empty when the
    subscribers kept every row. For the rebuild's report and the tests."""
    kept = {summary.engagement_id: summary for summary in EngagementSummary.objects.all()}
    stale = []
    for engagement in Engagement.objects.order_by("pk"):
        summary = kept.get(engagement.pk)
        if summary is None or differences(summary, build(engagement)):
            stale.append(engagement.pk)
    return stale


def differences(summary: EngagementSummary, facts: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{field: (kept, built)} where the kept row differs from the built facts."""
    return {name: (getattr(summary, name), facts[name]) for name in SUMMARY_FIELDS if getattr(summary, name) != facts[name]}


def rebuild_summaries() -> tuple[int, int]:
    """Rebuild the current practice's summaries from the source tables. Returns (engagements, rows that
    changed): the second is 0 when the subscribers kept every row."""
    changed = stale_summaries()
    refresh_summaries(changed)
    return Engagement.objects.count(), len(changed)
