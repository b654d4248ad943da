"""Demo measurement data for seed_demo (idempotent), on top of demo/journey.py, the same in every practice:

- coachee@'s active engagement with coach@ (sponsor@): objectives with targets, the mid-point
  closed with ratings from all three raters, on track;
- coachee3@ (a new leader of the same client organisation) with coach2@ and sponsor@: a four-
  session contract, the mid-point closed off track, and the end-point due with the coachee's and
  coach's ratings in, awaiting the sponsor's (reminders use it).
Everything goes through the services, as the pages would (no emails: demo data).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from coachhub.tenancy.models import Membership, Role
from demo.journey import coaching_session, contracting_session, next_weekday_at
from engagements.contracting import amendments, answers, drafts, versions
from engagements.models import ContractVersion, Engagement
from demo import stakeholders
from measurement.selectors import missing_raters
from measurement.services.closing import close_point
from measurement.services.rating import rate_point
from measurement.services.scheduling import mark_points_due, schedule_points
from measurement.models import MeasurementPoint
from sessions.models import Attendance, CoachingSession

TARGETS = {1: 8, 2: 8}  # by objective position, for contracts accepted before targets existed

RILEY_OBJECTIVES = [
    {"description": "Delegate client escalations to the team instead of handling them personally.",
     "success_measure": "Escalations handled by the team without her, month on month.",
     "rated_by_coachee": True, "rated_by_coach": True, "rated_by_sponsor": True, "rated_by_stakeholders": True,
     "baseline": 3, "target": 8},
    {"description": "Give direct feedback to senior stakeholders.",
     "success_measure": "Sponsor and two peers notice clearer, earlier feedback.",
     "rated_by_coachee": True, "rated_by_coach": True, "rated_by_sponsor": True, "rated_by_stakeholders": True,
     "baseline": 4, "target": 8},
]
# role → score per objective position.
ON_TRACK_MID = {"coachee": {1: 6, 2: 7}, "coach": {1: 5, 2: 6}, "sponsor": {1: 5, 2: 7}}
OFF_TRACK_MID = {"coachee": {1: 4, 2: 4}, "coach": {1: 3, 2: 4}, "sponsor": {1: 3, 2: 3}}
END_SO_FAR = {"coachee": {1: 5, 2: 6}, "coach": {1: 5, 2: 5}}
COMMENTS = {
    "coachee": "The leads ran two reviews on their own; I still step in when it gets tense.",
    "coach": "Real change in the last three sessions; board preparation is the next focus.",
    "sponsor": "Noticeably calmer in the operations review.",
}
# Riley's own words (objective 1), at the mid-point and so far at the end-point.
RILEY_MID_COMMENTS = {
    "coachee": "I still take most escalations myself: the team expects me to.",
    "coach": "Little change yet; we agreed to hand over one client account first.",
    "sponsor": "Escalations still land on Riley's desk.",
}
RILEY_END_COMMENTS = {
    "coachee": "The team now handles the routine escalations; the big clients still call me.",
    "coach": "Steady progress since the mid-point, short of the target.",
}


def seed_measurement(people: dict) -> None:
    _coachee_engagement(people)
    _second_engagement(people)


def _accepted(engagement: Engagement) -> ContractVersion | None:
    return engagement.contract_versions.filter(status=ContractVersion.Status.ACCEPTED).first()


def _ensure_targets(engagement: Engagement, coach, version: ContractVersion) -> ContractVersion:
    """A contract accepted before targets existed gets them through an amendment, accepted by all."""
    objectives = list(version.objectives.all())
    if all(objective.target is not None for objective in objectives):
        return version
    amendment = amendments.amend_contract(engagement=engagement, actor=coach)
    drafts.update_contract_draft(
        version=amendment, actor=coach, changes={},
        objectives=[
            {**{field: getattr(objective, field) for field in versions.OBJECTIVE_FIELDS},
             "target": objective.target or TARGETS.get(objective.position, min(objective.baseline + 3, 10))}
            for objective in objectives
        ],
    )
    amendment = drafts.send_contract(version=amendment, actor=coach, base_url="", notify=False)
    for _, party in amendment.parties():
        answers.accept_contract(
            version=amendment, party=party, text_sha256=amendment.text_sha256, ip_address="192.0.2.10",
            base_url="", notify=False,
        )
    return ContractVersion.objects.get(pk=amendment.pk)


def _rate(
    point: MeasurementPoint, parties: dict, scores: dict[str, dict[int, int]], *, at: datetime | None = None,
    comments: dict[str, str] = COMMENTS,
) -> None:
    point = MeasurementPoint.objects.select_related("version").get(pk=point.pk)
    if point.is_closed:
        return
    objectives = list(point.version.objectives.all())
    for role, by_position in scores.items():
        given = {
            objective.pk: (by_position[objective.position], comments.get(role, "") if objective.position == 1 else "")
            for objective in objectives if role in objective.raters and objective.position in by_position
        }
        rate_point(point=point, rater=parties[role], answers=given, now=at)


def _close(point: MeasurementPoint) -> None:
    """A point with stakeholder feedback waits for its coach: the demo closes it once all have rated."""
    point = MeasurementPoint.objects.select_related("version", "engagement").get(pk=point.pk)
    if not point.is_closed and not missing_raters(point):
        close_point(point=point, actor=point.engagement.coach)


def _coachee_engagement(people: dict) -> None:
    engagement = Engagement.objects.filter(
        coachee=people["coachee"], coach=people["coach"], stage=Engagement.Stage.ACTIVE
    ).first()
    if engagement is None or _accepted(engagement) is None:
        return
    version = _ensure_targets(engagement, people["coach"], _accepted(engagement))
    if not MeasurementPoint.objects.filter(engagement=engagement).exists():  # accepted before measurement existed
        schedule_points(version=version)
    mark_points_due(engagement=engagement)
    mid = MeasurementPoint.objects.filter(engagement=engagement, kind=MeasurementPoint.Kind.MID).first()
    if mid is None or mid.fell_due_at is None:
        return
    parties = {"coachee": version.coachee, "coach": version.coach, "sponsor": version.sponsor}
    stakeholders.answer_mid_point(engagement, mid)
    _rate(mid, parties, ON_TRACK_MID)
    _close(mid)


def _second_engagement(people: dict) -> None:
    coachee, coach, sponsor = people["coachee3"], people["coach2"], people["sponsor"]
    engagement = Engagement.objects.filter(coachee=coachee, coach=coach).first()
    now = timezone.now()
    today = timezone.localdate()
    if engagement is None:
        engagement = Engagement.objects.create(
            coachee=coachee, coach=coach, preferred_coach=coach, stage=Engagement.Stage.CONTRACTING,
            matched_at=now - timedelta(days=60),
            objectives="Let the team handle escalations; give senior stakeholders direct feedback.",
            hopes="Time back for strategy; stakeholders who hear problems early.",
        )
        contracting_session(engagement, coach, next_weekday_at("America/New_York", 13, -55))
    if _accepted(engagement) is None:
        organisation = Membership.objects.get(user=sponsor, role=Role.SPONSOR).client_organisation
        version = drafts.draft_contract(engagement=engagement, actor=coach)
        start = today - timedelta(days=50)
        drafts.update_contract_draft(
            version=version, actor=coach, objectives=RILEY_OBJECTIVES,
            changes={"sponsor": sponsor, "client_organisation": organisation, "start_date": start,
                     "end_date": start + timedelta(days=120), "sessions": 4,
                     "stakeholder_groups": stakeholders.GROUPS},
        )
        version = drafts.send_contract(version=version, actor=coach, base_url="", notify=False)
        for party in (coachee, coach, sponsor):
            answers.accept_contract(
                version=version, party=party, text_sha256=version.text_sha256, ip_address="192.0.2.11",
                base_url="", notify=False,
            )
    version = _accepted(engagement)
    engagement.refresh_from_db()
    parties = {"coachee": coachee, "coach": coach, "sponsor": sponsor}

    def held(numbers_and_days: tuple[tuple[int, int], ...]) -> None:
        for number, days in numbers_and_days:
            if CoachingSession.objects.filter(engagement=engagement, number=number).exists():
                continue
            starts_at = next_weekday_at("America/New_York", 13, days)
            session = coaching_session(engagement, number, starts_at, version.session_minutes)
            session.attendance, session.version = Attendance.HELD, 1
            session.logged_at = session.last_saved_at = session.booking.ends_at
            session.summary = f"Session {number}: worked on handing escalations to the team."
            session.save()

    # The mid-point was rated after the second of four sessions, the end-point after the fourth.
    held(((1, -42), (2, -30)))
    mark_points_due(engagement=engagement)
    mid = MeasurementPoint.objects.filter(engagement=engagement, kind=MeasurementPoint.Kind.MID).first()
    if mid is not None and mid.fell_due_at is not None:
        _rate(mid, parties, OFF_TRACK_MID, comments=RILEY_MID_COMMENTS)
        _close(mid)
    held(((3, -18), (4, -6)))
    mark_points_due(engagement=engagement)
    end = MeasurementPoint.objects.filter(engagement=engagement, kind=MeasurementPoint.Kind.END).first()
    if end is not None and end.fell_due_at is not None:
        _rate(end, parties, END_SO_FAR, comments=RILEY_END_COMMENTS)  # the sponsor's rating is still awaited
        stakeholders.name_end_point(engagement, MeasurementPoint.objects.select_related("version").get(pk=end.pk))
