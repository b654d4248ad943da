"""What a person's export holds: one JSON document per file, by the roles they held here.

Each builder reads the person's own relations directly (coachee of, coach of, sponsor party to),
never what an admin role would let them see: an export is the person's data, not the practice's.
Former members hold no active role, so relations are read from every membership, ended or not.

Left out, always (README.txt says so in the ZIP): other people's reflections (only the coachee
sees theirs), ratings given by others (their scores are in the progress report as pages show
them), private coach notes in anyone's export but their coach's, summaries a coachee did not share
in a sponsor's export, other practices' data. The times are ISO 8601 in UTC ("…Z").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone as dt_timezone

from django.db.models import Q

from coachhub.roster.models import CoachProfile
from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.models import AuditEntry, Membership, Role
from engagements.models import Acceptance, ChemistryCall, ContractVersion, Engagement
from measurement.models import Rating
from reminders.models import NotificationSettings
from sessions import encryption
from sessions.models import CoacheeReflection, CoachingSession

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
    """The person's relations here, read once and shared by the builders."""

    user: object
    roles: set[str]
    coachee_of: list[Engagement]
    coach_of: list[Engagement]
    sponsor_of: list[Engagement]
    versions: list[ContractVersion]


def gather(user) -> PersonData:
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    related = Engagement.objects.select_related("coachee", "coach", "sponsor", "client_organisation").order_by("pk")
    versions = list(
        ContractVersion.objects.filter(Q(coachee=user) | Q(coach=user) | Q(sponsor=user))
        .select_related("coachee", "coach", "sponsor").order_by("engagement_id", "number")
    )
    # A sponsor relates through the contract versions they were a party to (DESIGN.md).
    sponsored = {v.engagement_id for v in versions if v.sponsor_id == user.pk}
    return PersonData(
        user=user, roles=roles,
        coachee_of=list(related.filter(coachee=user)) if Role.COACHEE in roles else [],
        coach_of=list(related.filter(coach=user)) if Role.COACH in roles else [],
        sponsor_of=list(related.filter(pk__in=sponsored)) if Role.SPONSOR in roles else [],
        versions=versions,
    )


def person_file(data: PersonData) -> ExportFile:
    user = data.user
    memberships = Membership.objects.filter(user=user).select_related("client_organisation").order_by("created_at")
    settings = NotificationSettings.objects.filter(user=user).first()
    sign_ins = AuditEntry.objects.filter(action=SIGNED_IN, actor=user).order_by("created_at")
    return ExportFile(
        name="person.json",
        about="Your account as this practice knows it, your roles here, notification settings and sign-ins.",
        fields={
            "practice": "The practice this export is from.",
            "generated_at": "When this file was made (UTC).",
            "account": "email, full_name, time_zone (empty: the practice's), date_joined, last_login.",
            "memberships": "One per role: role, active, client_organisation, since, ended_at.",
            "notification_settings": "disabled_kinds (reminder kinds you turned off), morning_digest; null: defaults.",
            "sign_ins": "Sign-ins the practice keeps (90 days): at, and ip_address (where from).",
        },
        data={
            "practice": require_practice().name,
            "generated_at": iso(datetime.now(dt_timezone.utc)),
            "account": {
                "email": user.email, "full_name": user.full_name, "time_zone": user.time_zone,
                "date_joined": iso(user.date_joined), "last_login": iso(user.last_login),
            },
            "memberships": [
                {
                    "role": m.role, "active": m.is_active,
                    "client_organisation": m.client_organisation.name if m.client_organisation else None,
                    "since": iso(m.created_at), "ended_at": iso(m.deactivated_at),
                }
                for m in memberships
            ],
            "notification_settings": {
                "disabled_kinds": list(settings.disabled_kinds), "morning_digest": settings.morning_digest,
            } if settings else None,
            "sign_ins": [{"at": iso(entry.created_at), "ip_address": entry.ip_address} for entry in sign_ins],
        },
    )


def _actions(actions) -> list[dict]:
    return [
        {"text": a.text, "owner": a.owner, "due_date": iso(a.due_date), "status": a.status, "done_at": iso(a.done_at)}
        for a in actions
    ]


def _sessions(engagements: list[Engagement]):
    return (
        CoachingSession.objects.filter(engagement__in=engagements)
        .select_related("booking").prefetch_related("actions").order_by("engagement_id", "number")
    )


def _engagement(engagement: Engagement) -> dict:
    return {
        "engagement": engagement.pk, "stage": engagement.stage, "coachee": name_of(engagement.coachee),
        "coach": name_of(engagement.coach), "sponsor": name_of(engagement.sponsor),
        "client_organisation": engagement.client_organisation.name if engagement.client_organisation else None,
        "matched_at": iso(engagement.matched_at), "completed_at": iso(engagement.completed_at),
        "started_at": iso(engagement.created_at),
    }


ENGAGEMENT_FIELDS = {
    "engagement": "The engagement's number in this practice (other files refer to it).",
    "stage": "chemistry, contracting, active, completed or closed.",
    "coachee / coach / sponsor": "Names of the people in it.",
    "matched_at / completed_at / started_at": "When it was matched, completed and began (UTC).",
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


def _ratings(user, engagements: list[Engagement], role: str) -> list[dict]:
    ratings = Rating.objects.filter(rater=user, role=role, point__engagement__in=engagements).select_related(
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


def coachee_files(data: PersonData) -> list[ExportFile]:
    user, engagements = data.user, data.coachee_of
    calls = ChemistryCall.objects.filter(engagement__in=engagements).select_related("coach", "booking").order_by("pk")
    calls_by_engagement: dict[int, list[dict]] = {}
    for call in calls:
        calls_by_engagement.setdefault(call.engagement_id, []).append({
            "coach": name_of(call.coach), "starts_at": iso(call.booking.starts_at), "ends_at": iso(call.booking.ends_at),
            "status": call.status,
        })
    sessions = [
        {
            "engagement": s.engagement_id, "number": s.number, "starts_at": iso(s.booking.starts_at),
            "ends_at": iso(s.booking.ends_at), "attendance": s.attendance, "summary": s.summary,
            "summary_shared_with_sponsor": s.summary_shared_with_sponsor, "actions": _actions(s.actions.all()),
        }
        for s in _sessions(engagements)
    ]
    reflections = CoacheeReflection.objects.filter(author=user, engagement__in=engagements).order_by("created_at")
    return [
        ExportFile(
            name="coachee/chemistry_calls.json",
            about="Your chemistry calls and the objectives and hopes you wrote when you booked them.",
            fields={"engagement": "Its number.", "objectives / hopes": "What you wrote.",
                    "calls": "coach, starts_at, ends_at (UTC), status."},
            data=[
                {"engagement": e.pk, "objectives": e.objectives, "hopes": e.hopes, "calls": calls_by_engagement.get(e.pk, [])}
                for e in engagements
            ],
        ),
        ExportFile(name="coachee/engagements.json", about="The engagements in which you were coached.",
                   fields=ENGAGEMENT_FIELDS, data=[_engagement(e) for e in engagements]),
        ExportFile(name="coachee/sessions.json",
                   about="Your coaching sessions: dates, attendance, the shared summaries and actions.",
                   fields={**SESSION_FIELDS, "summary_shared_with_sponsor": "Whether you shared the summary with your sponsor."},
                   data=sessions),
        ExportFile(name="coachee/reflections.json", about="The reflections you wrote (only you see these).",
                   fields={"engagement": "Its number.", "session": "The session it is about, if any.",
                           "text": "What you wrote.", "written_at": "When (UTC)."},
                   data=[{"engagement": r.engagement_id, "session": r.session_id, "text": r.text, "written_at": iso(r.created_at)}
                         for r in reflections]),
        ExportFile(name="coachee/ratings.json", about="The ratings you gave at measurement points.",
                   fields=RATING_FIELDS, data=_ratings(user, engagements, "coachee")),
    ]


def coach_files(data: PersonData) -> list[ExportFile]:
    user, engagements = data.user, data.coach_of
    profile = CoachProfile.objects.filter(user=user).prefetch_related("weekly_hours", "time_off").first()
    calls = ChemistryCall.objects.filter(coach=user).select_related("engagement__coachee", "booking").order_by("pk")
    logs = [
        {
            "engagement": s.engagement_id, "number": s.number, "starts_at": iso(s.booking.starts_at),
            "ends_at": iso(s.booking.ends_at), "attendance": s.attendance, "goals": s.goals, "worked_on": s.worked_on,
            "private_notes": encryption.decrypt(s.private_notes_ciphertext) if s.private_notes_ciphertext else "",
            "summary": s.summary, "logged_at": iso(s.logged_at), "actions": _actions(s.actions.all()),
        }
        for s in _sessions(engagements)
    ]
    profile_data = None
    if profile is not None:
        profile_data = {
            "headline": profile.headline, "bio": profile.bio, "approach": profile.approach,
            "specialisms": profile.specialisms, "accreditations": profile.accreditations, "languages": profile.languages,
            "time_zone": profile.time_zone, "video_link": profile.video_link, "capacity": profile.capacity,
            "is_published": profile.is_published,
            "weekly_hours": [{"weekday": h.weekday, "starts_at": h.starts_at.isoformat(), "ends_at": h.ends_at.isoformat()}
                             for h in profile.weekly_hours.all()],
            "time_off": [{"first_day": iso(t.first_day), "last_day": iso(t.last_day), "note": t.note}
                         for t in profile.time_off.all()],
        }
    return [
        ExportFile(name="coach/profile.json", about="Your coach profile and availability (weekly hours in your time zone, time off).",
                   fields={"headline, bio, approach, specialisms, accreditations, languages": "Your profile as published.",
                           "weekly_hours": "weekday (0 = Monday), starts_at, ends_at (local times in time_zone).",
                           "time_off": "first_day, last_day, note."},
                   data=profile_data),
        ExportFile(name="coach/chemistry_calls.json", about="Chemistry calls held with you and the outcomes you recorded.",
                   fields={"engagement": "Its number.", "leader": "The leader's name.", "starts_at / ends_at": "UTC.",
                           "status, outcome, notes": "The call's status, your answer and your notes."},
                   data=[{"engagement": c.engagement_id, "leader": name_of(c.engagement.coachee),
                          "starts_at": iso(c.booking.starts_at), "ends_at": iso(c.booking.ends_at), "status": c.status,
                          "outcome": c.coach_outcome, "notes": c.coach_notes} for c in calls]),
        ExportFile(name="coach/engagements.json", about="The engagements you coach or coached.",
                   fields=ENGAGEMENT_FIELDS, data=[_engagement(e) for e in engagements]),
        ExportFile(name="coach/session_logs.json",
                   about="The session logs you wrote, with your own private notes.",
                   fields={**SESSION_FIELDS, "goals": "Sessional goals.", "worked_on": "What was worked on.",
                           "private_notes": "Your private notes (only you see them).", "logged_at": "When you logged it (UTC)."},
                   data=logs),
        ExportFile(name="coach/ratings.json", about="The ratings you gave at measurement points.",
                   fields=RATING_FIELDS, data=_ratings(user, engagements, "coach")),
    ]


def sponsor_files(data: PersonData) -> list[ExportFile]:
    user, engagements = data.user, data.sponsor_of
    sessions = [
        {
            "engagement": s.engagement_id, "number": s.number, "starts_at": iso(s.booking.starts_at),
            "ends_at": iso(s.booking.ends_at), "attendance": s.attendance,
            # A sponsor sees only the summaries the coachee chose to share (DESIGN.md).
            "summary": s.summary if s.summary_shared_with_sponsor else None,
        }
        for s in CoachingSession.objects.filter(engagement__in=engagements).select_related("booking").order_by("engagement_id", "number")
    ]
    return [
        ExportFile(name="sponsor/engagements.json", about="The engagements you sponsor(ed), as a sponsor sees them.",
                   fields=ENGAGEMENT_FIELDS, data=[_engagement(e) for e in engagements]),
        ExportFile(name="sponsor/sessions.json",
                   about="Session dates and attendance of those engagements, with the summaries the coachee shared with you.",
                   fields={**{k: v for k, v in SESSION_FIELDS.items() if k != "actions"},
                           "summary": "Only where the coachee shared it with you; otherwise null."},
                   data=sessions),
        ExportFile(name="sponsor/ratings.json", about="The ratings you gave at measurement points.",
                   fields=RATING_FIELDS, data=_ratings(user, engagements, "sponsor")),
    ]


def contracts_file(data: PersonData) -> ExportFile:
    acceptances = Acceptance.objects.filter(version__in=data.versions).select_related("party").order_by("decided_at")
    by_version: dict[int, list[dict]] = {}
    for a in acceptances:
        mine = a.party_id == data.user.pk
        by_version.setdefault(a.version_id, []).append({
            "party": name_of(a.party), "role": a.role, "decision": a.decision, "decided_at": iso(a.decided_at),
            "text_sha256": a.text_sha256,
            # Your own answer in full; of the others', what the contract page shows every party.
            "comment": a.comment if mine else None, "ip_address": a.ip_address if mine else None,
        })
    return ExportFile(
        name="contracts/contracts.json",
        about="Every contract version you were a party to, with the acceptance records (the PDFs are beside it).",
        fields={"engagement, number": "Which engagement and version.", "your_role": "coachee, coach or sponsor.",
                "status": "draft, sent, accepted or superseded.", "sent_at / accepted_at / superseded_at": "UTC.",
                "text_sha256": "SHA-256 of the exact text accepted.", "pdf": "The file of this version in contracts/.",
                "acceptances": "party, role, decision, decided_at, text_sha256; comment and ip_address for your own only."},
        data=[
            {
                "engagement": v.engagement_id, "number": v.number, "your_role": v.role_of(data.user), "status": v.status,
                "sent_at": iso(v.sent_at), "accepted_at": iso(v.accepted_at), "superseded_at": iso(v.superseded_at),
                "start_date": iso(v.start_date), "end_date": iso(v.end_date), "text_sha256": v.text_sha256,
                "pdf": contract_pdf_name(v) if v.status != ContractVersion.Status.DRAFT else None,
                "acceptances": by_version.get(v.pk, []),
            }
            for v in data.versions
        ],
    )


def contract_pdf_name(version: ContractVersion) -> str:
    return f"contracts/engagement-{version.engagement_id}-v{version.number}.pdf"


def progress_pdf_name(engagement: Engagement) -> str:
    return f"coachee/progress-report-engagement-{engagement.pk}.pdf"


def json_files(data: PersonData) -> list[ExportFile]:
    """Every JSON file of the export (the PDFs are added by the builder, which renders them)."""
    files = [person_file(data)]
    if data.coachee_of or Role.COACHEE in data.roles:
        files += coachee_files(data)
    if Role.COACH in data.roles:
        files += coach_files(data)
    if Role.SPONSOR in data.roles:
        files += sponsor_files(data)
    if data.versions:
        files.append(contracts_file(data))
    return files


LEFT_OUT = """\
What is not in this export, and why
- Other people's reflections: a coachee's reflections are seen by that coachee only.
- Ratings given by others: only your own ratings are listed; the progress report shows the results
  as the progress page shows them to you.
- Private coach notes: they are in the export of the coach who wrote them, never in a coachee's or
  sponsor's. You may ask the practice for them: the coach can export one engagement's notes.
- Session summaries a coachee did not share with their sponsor (sponsor exports).
- Stakeholder feedback: it is anonymous; who said what is never shown, to anyone.
- Anything of another practice: each practice on CoachHub answers for its own records.
- The practice's audit trail, beyond your own sign-ins: it records what people did, for the practice's
  accountability, and is kept as its retention rules say.
"""


def readme(files: list[ExportFile], *, person_name: str, practice_name: str, generated_at: datetime) -> str:
    lines = [
        f"Your data at {practice_name}, prepared for {person_name} on {iso(generated_at)}.",
        "",
        "Files ending in .json are for machines (UTF-8 JSON; times are ISO 8601 in UTC, ending in Z);",
        "the PDFs are for people. Each file, what it holds and its fields:",
        "",
    ]
    for f in files:
        lines.append(f"{f.name}")
        lines.append(f"  {f.about}")
        for key, meaning in f.fields.items():
            lines.append(f"    - {key}: {meaning}")
        lines.append("")
    lines.append(LEFT_OUT)
    return "\n".join(lines)
