"""Emails about chemistry calls and matches: rendered now in each reader's zone, sent by a worker."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from coachhub.roster import calendar
from coachhub.roster.meeting_links import meeting_link
from coachhub.roster.models import CoachProfile
from coachhub.tenancy.mail import send_email
from coachhub.tenancy.timezones import describe, zone_for
from engagements.models import ChemistryCall, Engagement


def _manage_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + reverse("manage_chemistry_call", args=[token], urlconf=settings.ROOT_URLCONF)


def _invite(call: ChemistryCall, profile: CoachProfile, *, cancelled: bool = False) -> tuple[str, str, str]:
    leader, coach = call.engagement.coachee, call.coach
    return calendar.meeting_attachment(
        filename="chemistry-call.ics", uid=call.ics_uid, sequence=call.ics_sequence, booking=call.booking,
        title="Chemistry call", about=f"A complimentary chemistry call between {leader} and coach {coach}.",
        leader=leader, coach=coach, video_link=meeting_link(profile, uid=call.ics_uid), cancelled=cancelled,
    )


def _send_both(call: ChemistryCall, event: str, *, manage_url: str = "", extra: dict | None = None, cancelled: bool = False) -> None:
    profile = CoachProfile.objects.get(user_id=call.coach_id)
    attachment = [_invite(call, profile, cancelled=cancelled)]
    leader, coach = call.engagement.coachee, call.coach
    for audience, reader, zone in (
        ("leader", leader, zone_for(leader)),
        ("coach", coach, zone_for(coach)),
    ):
        context = {
            "event": event, "audience": audience, "call": call, "leader": leader, "coach": coach,
            "when": describe(call.booking.starts_at, zone), "minutes": profile.chemistry_call_minutes,
            "video_link": meeting_link(profile, uid=call.ics_uid), "manage_url": manage_url if audience == "leader" else "",
            "objectives": call.engagement.objectives if audience == "coach" else "",
            **(extra or {}),
        }
        if "previous_start" in context:
            context["previous_when"] = describe(context["previous_start"], zone)
        send_email(to=reader.email, template_prefix="emails/chemistry_call", context=context, attachments=attachment)


def chemistry_call_booked(call: ChemistryCall, *, manage_token: str, base_url: str) -> None:
    _send_both(call, "booked", manage_url=_manage_url(base_url, manage_token))


def _new_manage_url(call: ChemistryCall, base_url: str) -> str:
    """A changed call gets a fresh link; the old one stops working."""
    token, digest = ChemistryCall.new_manage_token()
    ChemistryCall.objects.filter(pk=call.pk).update(manage_token_digest=digest)
    return _manage_url(base_url, token)


def chemistry_call_changed(call: ChemistryCall, *, base_url: str, previous_start: datetime) -> None:
    _send_both(call, "changed", manage_url=_new_manage_url(call, base_url), extra={"previous_start": previous_start})


def chemistry_call_cancelled(call: ChemistryCall, *, base_url: str) -> None:
    _send_both(call, "cancelled", cancelled=True)


def chemistry_call_reassigned(call: ChemistryCall, *, previous_coach, base_url: str) -> None:
    _send_both(call, "reassigned", manage_url=_new_manage_url(call, base_url), extra={"previous_coach": previous_coach})
    send_email(
        to=previous_coach.email, template_prefix="emails/chemistry_call_released",
        context={"call": call, "coach": previous_coach, "leader": call.engagement.coachee},
    )


def match_made(engagement: Engagement, *, closed_calls: list[ChemistryCall]) -> None:
    """The leader and chosen coach hear they go on to contracting; the other coaches are
    thanked, and their calendars freed where the call was still ahead."""
    for audience, reader in (("leader", engagement.coachee), ("coach", engagement.coach)):
        send_email(
            to=reader.email, template_prefix="emails/match_made",
            context={"audience": audience, "engagement": engagement, "leader": engagement.coachee, "coach": engagement.coach},
        )
    for call in closed_calls:
        send_email(
            to=call.coach.email, template_prefix="emails/match_elsewhere",
            context={"call": call, "coach": call.coach, "leader": engagement.coachee},
        )
