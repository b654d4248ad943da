"""The contracting session: the meeting where coachee and coach agree the contract, booked (or
moved) by the coach in one of their free times, with a calendar invitation for both."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from coachhub.roster import calendar
from coachhub.roster.meeting_links import meeting_link
from coachhub.roster.models import Booking, CoachProfile
from coachhub.roster.slots import is_free_slot
from coachhub.tenancy import audit
from coachhub.tenancy.mail import send_email
from coachhub.tenancy.timezones import describe, zone_for
from engagements.calendar_writeback import contracting_session_held
from engagements.contracting.versions import coach_engagement, page_url
from engagements.models import ContractingSession, Engagement
from engagements.services import NOT_A_SLOT, BookingRefused, _hold


@transaction.atomic
def book_contracting_session(*, engagement: Engagement, coach, starts_at: datetime, base_url: str) -> ContractingSession:
    """The coach books (or moves) the contracting session in one of their free times; coachee and
    coach get a calendar invitation. Same slot engine and the same no-overlap guarantee as
    chemistry calls, for a meeting of ContractingSession.MINUTES."""
    engagement = coach_engagement(engagement, coach, stages=(Engagement.Stage.CONTRACTING, Engagement.Stage.ACTIVE))
    profile = CoachProfile.objects.get(user_id=coach.pk)
    if not is_free_slot(profile, starts_at, minutes=ContractingSession.MINUTES):
        raise BookingRefused(NOT_A_SLOT, "That time is not one of your free times. Please pick a listed time.", "start")
    session = ContractingSession.objects.select_for_update().select_related("booking").filter(engagement=engagement).first()
    booking = _hold(profile=profile, kind=Booking.Kind.CONTRACTING, starts_at=starts_at, minutes=ContractingSession.MINUTES)
    previous = None
    if session is None:
        session = ContractingSession.objects.create(engagement=engagement, booking=booking)
    else:
        previous = session.booking
        previous.is_active = False
        previous.save(update_fields=["is_active", "updated_at"])
        session.booking = booking
        session.ics_sequence += 1
        session.save(update_fields=["booking", "ics_sequence", "updated_at"])
    audit.record(
        actor=coach, action="contracting_session.booked" if previous is None else "contracting_session.moved",
        subject="{coachee} with {coach}", people={"coachee": engagement.coachee_id, "coach": coach},
        starts_at=starts_at.isoformat(),
    )
    _notify_session(session, engagement, profile, base_url=base_url, moved=previous is not None)
    contracting_session_held(session, coach_id=coach.pk)
    return session


def _notify_session(session: ContractingSession, engagement: Engagement, profile: CoachProfile, *, base_url: str, moved: bool) -> None:
    leader, coach = engagement.coachee, engagement.coach
    attachment = [calendar.meeting_attachment(
        filename="contracting-session.ics", uid=session.ics_uid, sequence=session.ics_sequence,
        booking=session.booking, title="Contracting session",
        about=f"Contracting session: {leader} and coach {coach} agree the coaching contract.",
        leader=leader, coach=coach, video_link=meeting_link(profile, uid=session.ics_uid),
    )]
    for reader, zone in ((leader, zone_for(leader)), (coach, zone_for(coach))):
        send_email(
            to=reader.email, template_prefix="emails/contract_session", attachments=attachment,
            context={
                "reader": reader, "leader": leader, "coach": coach, "moved": moved,
                "when": describe(session.booking.starts_at, zone), "minutes": ContractingSession.MINUTES,
                "video_link": meeting_link(profile, uid=session.ics_uid), "url": page_url(base_url, "engagement_contract", engagement.pk),
            },
        )
