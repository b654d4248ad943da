"""The files of each role held: coachee, coach, sponsor."""

from __future__ import annotations

from coachhub.roster.models import CoachProfile
from engagements.access import COACH, visible_chemistry_calls
from engagements.models import ChemistryCall
from measurement.models import Nominee
from records.contents.base import (
    ENGAGEMENT_FIELDS,
    RATING_FIELDS,
    SESSION_FIELDS,
    ExportFile,
    PersonData,
    actions_of,
    engagement_row,
    iso,
    name_of,
    ratings_of,
    sessions_of,
)
from sessions import encryption
from sessions.models import CoacheeReflection, CoachingSession


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
            "summary_shared_with_sponsor": s.summary_shared_with_sponsor, "actions": actions_of(s.actions.all()),
        }
        for s in sessions_of(engagements)
    ]
    reflections = CoacheeReflection.objects.filter(author=user, engagement__in=engagements).order_by("created_at")
    # Whom they named, never what anyone answered: answers are anonymous (DESIGN.md, stakeholder feedback).
    nominees = Nominee.objects.filter(nominated_by=user, engagement__in=engagements, purged_at__isnull=True).order_by(
        "engagement_id", "group", "name"
    )
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
                   fields=ENGAGEMENT_FIELDS, data=[engagement_row(e) for e in engagements]),
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
                   fields=RATING_FIELDS, data=ratings_of(user, engagements, "coachee")),
        ExportFile(name="coachee/stakeholders.json",
                   about="The stakeholders you named to give feedback on your coaching (not their answers: those are anonymous).",
                   fields={"engagement": "Its number.", "group": "The stakeholder group you named them in.",
                           "name / email": "As you gave them.", "named_at": "When you named them (UTC)."},
                   data=[{"engagement": n.engagement_id, "group": n.group, "name": n.name, "email": n.email,
                          "named_at": iso(n.created_at)} for n in nominees]),
    ]


def coach_files(data: PersonData) -> list[ExportFile]:
    user, engagements = data.user, data.coach_of
    profile = CoachProfile.objects.filter(user=user).prefetch_related("weekly_hours", "time_off").first()
    calls = visible_chemistry_calls(data.viewer, acting_as=COACH).order_by("pk")
    logs = [
        {
            "engagement": s.engagement_id, "number": s.number, "starts_at": iso(s.booking.starts_at),
            "ends_at": iso(s.booking.ends_at), "attendance": s.attendance, "goals": s.goals, "worked_on": s.worked_on,
            "private_notes": encryption.decrypt(s.private_notes_ciphertext) if s.private_notes_ciphertext else "",
            "summary": s.summary, "logged_at": iso(s.logged_at), "actions": actions_of(s.actions.all()),
        }
        for s in sessions_of(engagements)
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
                   fields=ENGAGEMENT_FIELDS, data=[engagement_row(e) for e in engagements]),
        ExportFile(name="coach/session_logs.json",
                   about="The session logs you wrote, with your own private notes.",
                   fields={**SESSION_FIELDS, "goals": "Sessional goals.", "worked_on": "What was worked on.",
                           "private_notes": "Your private notes (only you see them).", "logged_at": "When you logged it (UTC)."},
                   data=logs),
        ExportFile(name="coach/ratings.json", about="The ratings you gave at measurement points.",
                   fields=RATING_FIELDS, data=ratings_of(user, engagements, "coach")),
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
                   fields=ENGAGEMENT_FIELDS, data=[engagement_row(e) for e in engagements]),
        ExportFile(name="sponsor/sessions.json",
                   about="Session dates and attendance of those engagements, with the summaries the coachee shared with you.",
                   fields={**{k: v for k, v in SESSION_FIELDS.items() if k != "actions"},
                           "summary": "Only where the coachee shared it with you; otherwise null."},
                   data=sessions),
        ExportFile(name="sponsor/ratings.json", about="The ratings you gave at measurement points.",
                   fields=RATING_FIELDS, data=ratings_of(user, None, "sponsor")),  # their own, even where no longer sponsor
    ]
