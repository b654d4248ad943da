"""The export's building blocks: ISO times, a file of the ZIP, and the person's relations read once."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone as dt_timezone

from coachhub.tenancy import audit
from coachhub.tenancy.viewers import Viewer
from engagements.access import COACH, COACHEE, SPONSOR, Relation, data_subject, subject_engagements, subject_versions
from engagements.models import ContractVersion, Engagement
from measurement.models import Rating
from sessions.models import CoachingSession

SIGNED_IN = audit.SIGN_IN


def iso(value: datetime | date | None) -> str | None:
    """ISO 8601; datetimes in UTC with a trailing Z."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(dt_timezone.utc).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def name_of(user) -> str | None:
    return user.get_full_name() if user is not None else None


@dataclass
class ExportFile:
    """One file of the ZIP: its name, what it is (for README.txt), its fields, and its content."""

    name: str
    about: str
    fields: dict[str, str] = field(default_factory=dict)
    data: object = None
    pdf: bytes | None = None

    def content(self) -> bytes:
        if self.pdf is not None:
            return self.pdf
        return json.dumps(self.data, indent=2, ensure_ascii=False).encode()


@dataclass
class PersonData:
    """The person's relations here, read once and shared by the builders (`viewer`: the person with
    every role they hold or held, engagements/access.py's data subject)."""

    viewer: Viewer
    coachee_of: list[Engagement]
    coach_of: list[Engagement]
    sponsor_of: list[Engagement]
    versions: list[ContractVersion]

    @property
    def user(self):
        return self.viewer.user

    @property
    def roles(self) -> frozenset[str]:
        return self.viewer.roles


def gather(user) -> PersonData:
    """The person's relations as a data subject (engagements/access.py): the engagements they coach or
    are coached in and every contract version naming them, through every role they hold or once held
    here (an ended membership's data is still theirs); as a sponsor, what they sponsor in force."""
    subject = data_subject(user)

    def engagements_as(relation: Relation) -> list[Engagement]:
        return list(subject_engagements(subject, relation).order_by("pk"))

    versions = subject_versions(subject).select_related("coachee", "coach", "sponsor").order_by("engagement_id", "number")
    return PersonData(
        viewer=subject, coachee_of=engagements_as(COACHEE), coach_of=engagements_as(COACH),
        sponsor_of=engagements_as(SPONSOR), versions=list(versions),
    )


def actions_of(actions) -> list[dict]:
    return [
        {"text": a.text, "owner": a.owner, "due_date": iso(a.due_date), "status": a.status, "done_at": iso(a.done_at)}
        for a in actions
    ]


def sessions_of(engagements: list[Engagement]):
    return (
        CoachingSession.objects.filter(engagement__in=engagements)
        .select_related("booking").prefetch_related("actions").order_by("engagement_id", "number")
    )


def engagement_row(engagement: Engagement) -> dict:
    return {
        "engagement": engagement.pk, "stage": engagement.stage, "coachee": name_of(engagement.coachee),
        "coach": name_of(engagement.coach), "sponsor": name_of(engagement.sponsor),
        "client_organisation": engagement.client_organisation.name if engagement.client_organisation else None,
        "matched_at": iso(engagement.matched_at), "completed_at": iso(engagement.completed_at),
        "started_at": iso(engagement.created_at), "purged_at": iso(engagement.purged_at),
    }


ENGAGEMENT_FIELDS = {
    "engagement": "The engagement's number in this practice (other files refer to it).",
    "stage": "chemistry, contracting, active, completed or closed.",
    "coachee / coach / sponsor": "Names of the people in it.",
    "matched_at / completed_at / started_at": "When it was matched, completed and began (UTC).",
    "purged_at": "When the retention purge removed its personal data (UTC), if it has.",
}
SESSION_FIELDS = {
    "engagement, number": "Which engagement, and the session's number in it.",
    "starts_at / ends_at": "When it was booked (UTC).",
    "attendance": "scheduled, held, cancelled_in_time, late_cancellation or no_show.",
    "summary": "The shared summary the coach wrote.",
    "actions": "Action items: text, owner, due_date, status, done_at.",
}
RATING_FIELDS = {
    "engagement, point": "Which engagement and measurement point (mid or end).",
    "objective": "The objective rated.",
    "role": "The role you rated as.",
    "score / comment": "Your score (scale 1–10) and comment.",
    "rated_at / changed_at": "When you first rated, and last changed it (UTC).",
}


def ratings_of(user, engagements: list[Engagement] | None, role: str) -> list[dict]:
    """The ratings `user` gave as `role` (in `engagements`; None: wherever they gave them)."""
    ratings = Rating.objects.filter(rater=user, role=role)
    if engagements is not None:
        ratings = ratings.filter(point__engagement__in=engagements)
    ratings = ratings.select_related(
        "point", "objective"
    ).order_by("point__engagement_id", "point__kind", "objective__position")
    return [
        {
            "engagement": r.point.engagement_id, "point": r.point.kind, "objective": r.objective.description,
            "role": r.role, "score": r.score, "comment": r.comment,
            "rated_at": iso(r.created_at), "changed_at": iso(r.updated_at),
        }
        for r in ratings
    ]
