"""Writes along the journey: chemistry calls booked, moved, cancelled, their outcomes, the match.

Each service is one transaction and checks the rule it enforces; the database backs the
important ones (no overlapping bookings, one open enquiry per leader, one call per coach).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from coachhub.accounts.services import leader_account
from coachhub.roster.models import Booking, CoachProfile
from coachhub.roster.slots import is_free_slot
from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.events import publish
from coachhub.tenancy.viewers import as_viewer
from engagements import calendar_writeback, notifications
from engagements.access import COACH, COACHEE, open_enquiry, relates_as, require_call_relation
from engagements.events import (
    ChemistryCallBooked,
    ChemistryCallCancelled,
    ChemistryCallClosed,
    ChemistryCallMoved,
    ChemistryCallReassigned,
    ChemistryOutcomeRecorded,
    EngagementMatched,
)
from engagements.locking import lock_engagement
from engagements.models import ChemistryCall, Engagement
from engagements.selectors import coach_loads


class BookingRefused(Exception):
    """A booking that cannot be made, with a message for the person and a machine code."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


SLOT_TAKEN = "slot_taken"
MAX_CALLS = "max_calls"
COACH_UNAVAILABLE = "coach_unavailable"
NOT_A_SLOT = "not_a_slot"
# Usually someone else took the time since the page was shown; rarely a forged time.
NOT_A_SLOT_MESSAGE = "Sorry, that time is no longer free. Please choose another of the times shown."


def _hold(*, profile: CoachProfile, kind: str, starts_at: datetime, minutes: int | None = None) -> Booking:
    """Create the booking (`minutes` long, default a chemistry call); the exclusion constraint
    refuses it if the time was just taken."""
    ends_at = starts_at + timedelta(minutes=minutes or profile.chemistry_call_minutes)
    blocked = DateTimeTZRange(starts_at, ends_at + timedelta(minutes=profile.buffer_minutes), "[)")
    try:
        with transaction.atomic():
            return Booking.objects.create(
                coach_id=profile.user_id, kind=kind, starts_at=starts_at, ends_at=ends_at, blocked=blocked
            )
    except IntegrityError as error:
        if "booking_no_overlap_per_coach" in str(error):
            raise BookingRefused(SLOT_TAKEN, "Sorry, that time has just been taken. Please choose another.", "start") from None
        raise


def _check_coach_bookable(profile: CoachProfile) -> None:
    if not profile.is_bookable:
        raise BookingRefused(COACH_UNAVAILABLE, "This coach is not taking bookings at the moment.", "coach")
    if coach_loads([profile.user_id]).get(profile.user_id, 0) >= profile.capacity:
        raise BookingRefused(COACH_UNAVAILABLE, "This coach has no room for new coachees at the moment.", "coach")


@transaction.atomic
def book_chemistry_call(
    *, profile: CoachProfile, starts_at: datetime, name: str, email: str, objectives: str,
    hopes: str = "", time_zone: str, base_url: str,
) -> tuple[ChemistryCall, bool]:
    """A leader books a complimentary chemistry call. Returns (call, leader_account_created).

    Creates or reuses the leader's coachee account and open enquiry; refuses a time that is
    not a free slot, a coach not taking bookings, and more calls than the practice allows.
    """
    practice = require_practice()
    _check_coach_bookable(profile)
    if not is_free_slot(profile, starts_at):
        raise BookingRefused(NOT_A_SLOT, NOT_A_SLOT_MESSAGE, "start")
    leader, created = leader_account(email=email, full_name=name, time_zone=time_zone)
    engagement = _open_enquiry_for(leader, objectives=objectives, hopes=hopes)
    calls = engagement.chemistry_calls.exclude(status=ChemistryCall.Status.CANCELLED)
    if calls.count() >= practice.max_chemistry_calls or calls.filter(coach_id=profile.user_id).exists():
        # One message for both, so an anonymous visitor learns nothing about whom an email has met.
        raise BookingRefused(
            MAX_CALLS,
            f"This email address already has a chemistry call with this coach, or calls with "
            f"{practice.max_chemistry_calls} coach{'es' if practice.max_chemistry_calls != 1 else ''} "
            "(the most we offer). Sign in to see them.",
            "coach",
        )
    booking = _hold(profile=profile, kind=Booking.Kind.CHEMISTRY_CALL, starts_at=starts_at)
    token, digest = ChemistryCall.new_manage_token()
    call = ChemistryCall.objects.create(
        engagement=engagement, coach_id=profile.user_id, booking=booking, manage_token_digest=digest
    )
    audit.record(actor=leader, action="chemistry_call.booked", subject=call)
    calendar_writeback.chemistry_call_held(call)
    publish(ChemistryCallBooked(call=call))
    notifications.chemistry_call_booked(call, manage_token=token, base_url=base_url)
    return call, created


def _open_enquiry_for(leader, *, objectives: str, hopes: str) -> Engagement:
    """The leader's open enquiry, locked; created with their objectives when there is none.

    An existing enquiry keeps its objectives: an anonymous booking must not rewrite what a
    leader wrote before (they edit it signed in).
    """
    engagement = open_enquiry(as_viewer(leader))
    if engagement is None:
        try:
            with transaction.atomic():
                engagement = Engagement.objects.create(coachee=leader, objectives=objectives.strip(), hopes=hopes.strip())
        except IntegrityError:
            engagement = open_enquiry(as_viewer(leader))  # created a moment ago by the same leader's other request
    engagement = lock_engagement(engagement.pk)
    if engagement.purged_at is not None:
        # The retention purge emptied this long-quiet enquiry (records/retention/leads.py): the leader is
        # back, with what they write now.
        engagement.objectives, engagement.hopes, engagement.purged_at = objectives.strip(), hopes.strip(), None
        engagement.save(update_fields=["objectives", "hopes", "purged_at", "updated_at"])
    return engagement


def _lock_call(call: ChemistryCall) -> ChemistryCall:
    """The call (and its booking) re-read under lock, its engagement locked first (engagements/locking.py)."""
    engagement = lock_engagement(call.engagement_id)
    call = ChemistryCall.objects.select_for_update().select_related("booking").get(pk=call.pk)
    call.engagement = engagement
    return call


def call_for_manage_token(token: str) -> ChemistryCall | None:
    return (
        ChemistryCall.objects.select_related("booking", "engagement__coachee", "coach")
        .filter(manage_token_digest=ChemistryCall.digest(token)).first()
    )


@transaction.atomic
def reschedule_chemistry_call(*, call: ChemistryCall, starts_at: datetime, actor, base_url: str) -> ChemistryCall:
    """Move a booked call to another free slot of the same coach; calendars update the event."""
    call = _lock_call(call)
    if call.status != ChemistryCall.Status.BOOKED or call.booking.starts_at <= timezone.now():
        raise BookingRefused("not_movable", "This call can no longer be moved.")
    profile = CoachProfile.objects.get(user_id=call.coach_id)
    if not is_free_slot(profile, starts_at):
        raise BookingRefused(NOT_A_SLOT, NOT_A_SLOT_MESSAGE, "start")
    old = call.booking
    old.is_active = False
    old.save(update_fields=["is_active", "updated_at"])
    call.booking = _hold(profile=profile, kind=Booking.Kind.CHEMISTRY_CALL, starts_at=starts_at)
    call.ics_sequence += 1
    call.save(update_fields=["booking", "ics_sequence", "updated_at"])
    audit.record(actor=actor, action="chemistry_call.rescheduled", subject=call, previous=old.starts_at.isoformat())
    calendar_writeback.chemistry_call_held(call)
    publish(ChemistryCallMoved(call=call))
    notifications.chemistry_call_changed(call, base_url=base_url, previous_start=old.starts_at)
    return call


@transaction.atomic
def cancel_chemistry_call(*, call: ChemistryCall, actor, base_url: str) -> ChemistryCall:
    call = _lock_call(call)
    if call.status != ChemistryCall.Status.BOOKED:
        return call  # cancelling twice changes nothing
    call.status = ChemistryCall.Status.CANCELLED
    call.ics_sequence += 1
    call.save(update_fields=["status", "ics_sequence", "updated_at"])
    call.booking.is_active = False
    call.booking.save(update_fields=["is_active", "updated_at"])
    audit.record(actor=actor, action="chemistry_call.cancelled", subject=call)
    calendar_writeback.chemistry_call_gone(call)
    publish(ChemistryCallCancelled(call=call))
    notifications.chemistry_call_cancelled(call, base_url=base_url)
    return call


@transaction.atomic
def record_chemistry_outcome(*, call: ChemistryCall, coach, outcome: str, notes: str) -> ChemistryCall:
    """The coach says whether they would like to work with this leader, after the call."""
    call = _lock_call(call)
    require_call_relation(coach, call, COACH)
    if call.status != ChemistryCall.Status.BOOKED or call.booking.starts_at > timezone.now():
        raise BookingRefused("not_yet", "You can record the outcome once the call has taken place.")
    if outcome not in ChemistryCall.Outcome.values:
        raise BookingRefused("invalid", "Choose whether you would like to work together.", "outcome")
    call.coach_outcome, call.coach_notes, call.outcome_recorded_at = outcome, notes.strip(), timezone.now()
    call.save(update_fields=["coach_outcome", "coach_notes", "outcome_recorded_at", "updated_at"])
    audit.record(actor=coach, action="chemistry_call.outcome", subject=call, outcome=outcome)
    publish(ChemistryOutcomeRecorded(call=call))
    _match_if_agreed(call.engagement)
    return call


@transaction.atomic
def record_preference(*, engagement: Engagement, coachee, coach_id: int) -> Engagement:
    """The leader chooses the coach they would like among those they have met."""
    engagement = lock_engagement(engagement.pk)
    if engagement.stage != Engagement.Stage.CHEMISTRY or not relates_as(coachee, engagement, COACHEE):
        raise BookingRefused("invalid", "This enquiry is not open any more.")
    met = engagement.chemistry_calls.filter(
        status=ChemistryCall.Status.BOOKED, booking__starts_at__lte=timezone.now(), coach_id=coach_id
    )
    if not met.exists():
        raise BookingRefused("invalid", "Choose one of the coaches you have had a chemistry call with.", "coach")
    engagement.preferred_coach_id = coach_id
    engagement.save(update_fields=["preferred_coach", "updated_at"])
    audit.record(actor=coachee, action="engagement.preference", subject=engagement)
    _match_if_agreed(engagement)
    return engagement


def _match_if_agreed(engagement: Engagement) -> None:
    """When the leader's chosen coach also said yes: contracting starts, the other calls close."""
    if engagement.stage != Engagement.Stage.CHEMISTRY or engagement.preferred_coach_id is None:
        return
    chosen = engagement.chemistry_calls.filter(
        coach_id=engagement.preferred_coach_id, coach_outcome=ChemistryCall.Outcome.YES,
        status=ChemistryCall.Status.BOOKED,
    ).first()
    if chosen is None:
        return
    engagement.coach_id = engagement.preferred_coach_id
    engagement.stage = Engagement.Stage.CONTRACTING
    engagement.matched_at = timezone.now()
    engagement.save(update_fields=["coach", "stage", "matched_at", "updated_at"])
    others = list(engagement.chemistry_calls.filter(status=ChemistryCall.Status.BOOKED).exclude(pk=chosen.pk).select_related("booking"))
    for call in others:
        call.status = ChemistryCall.Status.CLOSED
        call.save(update_fields=["status", "updated_at"])
        calendar_writeback.chemistry_call_gone(call)
        publish(ChemistryCallClosed(call=call))
        if call.booking.starts_at > timezone.now():
            call.booking.is_active = False
            call.booking.save(update_fields=["is_active", "updated_at"])
    publish(EngagementMatched(engagement=engagement))
    audit.record(actor=None, action="engagement.matched", subject=engagement)
    notifications.match_made(engagement, closed_calls=others)


@transaction.atomic
def reassign_chemistry_call(*, call: ChemistryCall, profile: CoachProfile, starts_at: datetime, actor, base_url: str) -> ChemistryCall:
    """A practice admin moves a booked call to another coach (and free time of theirs)."""
    call = _lock_call(call)
    if not call.is_upcoming:
        raise BookingRefused("invalid", "Only a call that is still ahead can be reassigned.")
    _check_coach_bookable(profile)
    if not is_free_slot(profile, starts_at):
        raise BookingRefused(NOT_A_SLOT, NOT_A_SLOT_MESSAGE, "start")
    if call.engagement.chemistry_calls.exclude(pk=call.pk).exclude(status="cancelled").filter(coach_id=profile.user_id).exists():
        raise BookingRefused("invalid", "The leader already has a call with this coach.", "coach")
    previous_coach = call.coach
    call.booking.is_active = False
    call.booking.save(update_fields=["is_active", "updated_at"])
    call.booking = _hold(profile=profile, kind=Booking.Kind.CHEMISTRY_CALL, starts_at=starts_at)
    call.coach_id = profile.user_id
    call.ics_sequence += 1
    call.save(update_fields=["booking", "coach", "ics_sequence", "updated_at"])
    audit.record(actor=actor, action="chemistry_call.reassigned", subject=call, previous_coach=previous_coach.pk)
    calendar_writeback.chemistry_call_reassigned(call, previous_coach_id=previous_coach.pk)
    publish(ChemistryCallReassigned(call=call, previous_coach_id=previous_coach.pk))
    notifications.chemistry_call_reassigned(call, previous_coach=previous_coach, base_url=base_url)
    return call


def confirm_leader_email(request, leader, created: bool) -> None:
    """A new leader's address is confirmed by allauth's emailed link (sent once, on creation)."""
    if created:
        from allauth.account.models import EmailAddress

        address = EmailAddress.objects.filter(user=leader, email=leader.email).first()
        if address is not None and not address.verified:
            address.send_confirmation(request, signup=True)
