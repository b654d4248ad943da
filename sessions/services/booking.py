"""Booking coaching sessions against the contract: booking, moving and cancelling, each with a
calendar invitation for coachee and coach. The database backs the important rules (no
overlapping bookings; attendance and "counts as used" kept together). Also what every session
write starts from: the active engagement, or the session, under its lock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coachhub.roster import calendar
from coachhub.roster.meeting_links import meeting_link
from coachhub.roster.models import Booking, CoachProfile
from coachhub.roster.slots import is_free_slot
from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.events import publish
from coachhub.tenancy.mail import send_email
from coachhub.tenancy.timezones import describe, zone_for
from engagements.access import COACH, COACHEE, relates_as, require_relation
from engagements.locking import lock_engagement
from engagements.models import Engagement
from engagements.services import NOT_A_SLOT, BookingRefused, _hold
from sessions import calendar_writeback, selectors
from sessions.access import bookers
from sessions.events import SessionBooked, SessionCancelled, SessionMoved
from sessions.models import Attendance, CoachingSession

PAST_COMMITMENT = "past_commitment"
PAST_END_DATE = "past_end_date"
NOT_ACTIVE = "not_active"
NO_CONTRACT = "no_contract"
NOT_FREE_MESSAGE = "That time is not one of the coach's free times (it may just have been taken). Please pick a listed time."


def active_engagement(engagement: Engagement, actor, *, booking: bool = False) -> Engagement:
    """The engagement, locked, if `actor` is its coach (or, for booking, may book its sessions);
    refused unless it is active."""
    engagement = lock_engagement(engagement.pk)
    require_relation(actor, engagement, bookers() if booking else COACH)
    if engagement.stage != Engagement.Stage.ACTIVE:
        raise ValidationError(
            f"This engagement is {engagement.get_stage_display().lower()}, not active: sessions can only be "
            "booked and logged while it is active.", code=NOT_ACTIVE,
        )
    return engagement


@transaction.atomic
def book_session(
    *, engagement: Engagement, actor, starts_at: datetime, base_url: str, beyond_commitment: bool = False,
) -> CoachingSession:
    """The coach (or the coachee, where the practice allows) books the next session in one of the
    coach's free times, as long as the contract states.

    Past the package's sessions or the contract's end date it is refused unless the coach
    confirmed (`beyond_commitment`) after seeing the warning; a coachee cannot go past it.
    """
    engagement = active_engagement(engagement, actor, booking=True)
    by_coach = relates_as(actor, engagement, COACH)
    commitment = selectors.commitment(engagement)
    if commitment.contract is None:
        raise BookingRefused(NO_CONTRACT, "There is no accepted contract in force: sessions are booked against it.")
    day = _contract_day(starts_at)
    if not by_coach and (commitment.left <= 0 or day > commitment.end_date):
        raise BookingRefused(
            PAST_COMMITMENT, "That goes beyond what the contract states (its sessions or its end date). "
            "Please ask your coach: only they can book past the contract.", "start",
        )
    if not beyond_commitment:
        if commitment.left <= 0:
            raise BookingRefused(
                PAST_COMMITMENT,
                f"The contract's {commitment.total} sessions are all booked or used. Tick “book beyond the contract” "
                "to book anyway.", "beyond_commitment",
            )
        if day > commitment.end_date:
            raise BookingRefused(
                PAST_END_DATE,
                f"The contract ends on {commitment.end_date:%d %B %Y}. Tick “book beyond the contract” to book anyway.",
                "beyond_commitment",
            )
    minutes = commitment.contract.session_minutes
    profile = CoachProfile.objects.get(user_id=engagement.coach_id)
    if not is_free_slot(profile, starts_at, minutes=minutes):
        raise BookingRefused(NOT_A_SLOT, NOT_FREE_MESSAGE, "start")
    booking = _hold(profile=profile, kind=Booking.Kind.COACHING, starts_at=starts_at, minutes=minutes)
    session = CoachingSession.objects.create(engagement=engagement, booking=booking, number=commitment.next_number)
    audit.record(actor=actor, action="coaching_session.booked", subject=session, starts_at=starts_at.isoformat())
    calendar_writeback.session_held(session)
    publish(SessionBooked(session=session))
    _notify(session, profile, base_url=base_url, event="booked")
    return session


def _contract_day(moment: datetime) -> date:
    """The day a moment falls on for the contract's dates: a day in the practice's zone."""
    return moment.astimezone(ZoneInfo(require_practice().time_zone)).date()


def lock_session(session: CoachingSession) -> CoachingSession:
    """The session re-read under its lock, its engagement locked first (see engagements/locking.py)."""
    lock_engagement(session.engagement_id)
    return (
        CoachingSession.objects.select_for_update(of=("self",))
        .select_related("booking", "engagement__coachee", "engagement__coach").get(pk=session.pk)
    )


def _notice_hours(session: CoachingSession) -> int:
    contract = selectors.contract_in_force(session.engagement)
    return contract.cancellation_notice_hours if contract else 0


@transaction.atomic
def cancel_session(*, session: CoachingSession, actor, base_url: str, now: datetime | None = None) -> CoachingSession:
    """Cancel a scheduled session. With the contract's notice it is freed; later it counts as used.
    Either way the coach's time is released."""
    now = now or timezone.now()
    session = lock_session(session)
    require_relation(actor, session.engagement, frozenset({COACH, COACHEE}))
    if session.attendance != Attendance.SCHEDULED:
        raise ValidationError("Only a scheduled session can be cancelled.")
    in_time = selectors.cancelled_in_time(session.booking.starts_at, selectors.contract_in_force(session.engagement), now)
    session.attendance = Attendance.CANCELLED_IN_TIME if in_time else Attendance.LATE_CANCELLATION
    session.ics_sequence += 1
    session.save(update_fields=["attendance", "counts_as_used", "ics_sequence", "updated_at"])
    booking = session.booking
    booking.is_active = False
    booking.save(update_fields=["is_active", "updated_at"])
    audit.record(actor=actor, action="coaching_session.cancelled", subject=session, attendance=session.attendance)
    calendar_writeback.session_cancelled(session)
    publish(SessionCancelled(session=session))
    profile = CoachProfile.objects.get(user_id=session.engagement.coach_id)
    _notify(session, profile, base_url=base_url, event="cancelled")
    return session


@transaction.atomic
def reschedule_session(
    *, session: CoachingSession, actor, starts_at: datetime, base_url: str, now: datetime | None = None,
    beyond_commitment: bool = False,
) -> CoachingSession:
    """Move a scheduled session to another free time of the coach, with the contract's notice.
    Later than that, the session can only be cancelled (and counts as used). Past the contract's end
    date only the coach moves it, having confirmed (`beyond_commitment`)."""
    now = now or timezone.now()
    session = lock_session(session)
    require_relation(actor, session.engagement, bookers())
    if session.attendance != Attendance.SCHEDULED:
        raise ValidationError("Only a scheduled session can be moved.")
    notice = _notice_hours(session)
    if session.booking.starts_at - now < timedelta(hours=notice):
        raise BookingRefused(
            "late", f"The contract asks for {notice} hours' notice: this session can no longer be moved. "
            "Cancelling it now counts as used.",
        )
    contract = selectors.contract_in_force(session.engagement)
    by_coach = relates_as(actor, session.engagement, COACH)
    if _contract_day(starts_at) > contract.end_date and not (beyond_commitment and by_coach):
        raise BookingRefused(
            PAST_END_DATE, f"The contract ends on {contract.end_date:%d %B %Y}. " + (
                "Tick “book beyond the contract” to move the session there anyway." if by_coach
                else "Please ask your coach: only they can book past the contract."
            ), "beyond_commitment" if by_coach else "start",
        )
    profile = CoachProfile.objects.get(user_id=session.engagement.coach_id)
    if not is_free_slot(profile, starts_at, minutes=contract.session_minutes):
        raise BookingRefused(NOT_A_SLOT, NOT_FREE_MESSAGE, "start")
    old = session.booking
    old.is_active = False
    old.save(update_fields=["is_active", "updated_at"])
    session.booking = _hold(profile=profile, kind=Booking.Kind.COACHING, starts_at=starts_at, minutes=contract.session_minutes)
    session.ics_sequence += 1
    session.save(update_fields=["booking", "ics_sequence", "updated_at"])
    audit.record(actor=actor, action="coaching_session.moved", subject=session, previous=old.starts_at.isoformat())
    calendar_writeback.session_held(session)
    publish(SessionMoved(session=session))
    _notify(session, profile, base_url=base_url, event="moved", previous=old.starts_at)
    return session


def _notify(
    session: CoachingSession, profile: CoachProfile, *, base_url: str, event: str, previous: datetime | None = None,
) -> None:
    engagement = session.engagement
    leader, coach = engagement.coachee, engagement.coach
    attachment = [calendar.meeting_attachment(
        filename="coaching-session.ics", uid=session.ics_uid, sequence=session.ics_sequence, booking=session.booking,
        title=f"Coaching session {session.number}", about=f"Coaching session {session.number}: {leader} and coach {coach}.",
        leader=leader, coach=coach, video_link=meeting_link(profile, uid=session.ics_uid), cancelled=event == "cancelled",
    )]
    url = base_url.rstrip("/") + reverse("engagement_sessions", args=[engagement.pk], urlconf=settings.ROOT_URLCONF)
    for reader, zone in ((leader, zone_for(leader)), (coach, zone_for(coach))):
        send_email(
            to=reader.email, template_prefix="sessions/emails/coaching_session", attachments=attachment,
            context={
                "reader": reader, "leader": leader, "coach": coach, "event": event, "number": session.number,
                "when": describe(session.booking.starts_at, zone),
                "previous": describe(previous, zone) if previous else "",
                "counts_as_used": session.counts_as_used,
                "minutes": int((session.booking.ends_at - session.booking.starts_at).total_seconds() // 60),
                "video_link": meeting_link(profile, uid=session.ics_uid), "url": url,
            },
        )
