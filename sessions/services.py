"""Writes for coaching sessions: booking against the contract, cancelling, logging, actions.

Each service is one transaction and checks its rule; the database backs the important ones (no
overlapping bookings, attendance and "counts as used" kept together, done actions have a time).
Private notes are encrypted before they reach the model and never appear in audit rows or errors.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coachhub.roster import calendar
from coachhub.roster.models import Booking, CoachProfile
from coachhub.roster.slots import is_free_slot
from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.events import publish
from coachhub.tenancy.mail import send_email
from coachhub.tenancy.timezones import describe
from engagements.access import COACH, COACHEE, require_relation
from engagements.locking import lock_engagement
from engagements.models import Engagement
from engagements.services import NOT_A_SLOT, BookingRefused, _hold
from sessions import encryption, selectors
from sessions.access import bookers
from sessions.events import (
    ActionItemChanged,
    ActionItemRemoved,
    SessionBooked,
    SessionCancelled,
    SessionLogSaved,
    SessionMoved,
)
from sessions.models import (
    DEFAULT_WORKED_ON_TOPICS,
    NOTES_MAX_LENGTH,
    ActionItem,
    Attendance,
    CoacheeReflection,
    CoachingSession,
    LogDraft,
    WorkedOnTopic,
)

PAST_COMMITMENT = "past_commitment"
PAST_END_DATE = "past_end_date"
NOT_ACTIVE = "not_active"
NO_CONTRACT = "no_contract"
NOT_FREE_MESSAGE = "That time is not one of the coach's free times (it may just have been taken). Please pick a listed time."


@transaction.atomic
def ensure_worked_on_topics() -> list[str]:
    """The practice's list, saved from the default list the first time it is written (edited or
    seeded); pages read the defaults without saving them (selectors.worked_on_topics)."""
    if not WorkedOnTopic.objects.exists():
        for position, name in enumerate(DEFAULT_WORKED_ON_TOPICS):
            WorkedOnTopic.objects.get_or_create(name=name, defaults={"position": position})
    return selectors.worked_on_topics()


def _active_engagement(engagement: Engagement, actor, *, booking: bool = False) -> Engagement:
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
    engagement = _active_engagement(engagement, actor, booking=True)
    by_coach = engagement.coach_id == actor.pk
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
    audit.record(actor=actor, action="coaching_session.booked", subject=str(session), starts_at=starts_at.isoformat())
    publish(SessionBooked(session=session))
    _notify(session, profile, base_url=base_url, event="booked")
    return session


def _contract_day(moment: datetime) -> date:
    """The day a moment falls on for the contract's dates: a day in the practice's zone."""
    return moment.astimezone(ZoneInfo(require_practice().time_zone)).date()


def _lock_session(session: CoachingSession) -> CoachingSession:
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
    session = _lock_session(session)
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
    audit.record(actor=actor, action="coaching_session.cancelled", subject=str(session), attendance=session.attendance)
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
    session = _lock_session(session)
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
    by_coach = session.engagement.coach_id == actor.pk
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
    audit.record(actor=actor, action="coaching_session.moved", subject=str(session), previous=old.starts_at.isoformat())
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
        leader=leader, coach=coach, video_link=profile.video_link, cancelled=event == "cancelled",
    )]
    url = base_url.rstrip("/") + reverse("engagement_sessions", args=[engagement.pk], urlconf=settings.ROOT_URLCONF)
    for reader, zone in ((leader, leader.time_zone or require_practice().time_zone), (coach, profile.time_zone)):
        send_email(
            to=reader.email, template_prefix="sessions/emails/coaching_session", attachments=attachment,
            context={
                "reader": reader, "leader": leader, "coach": coach, "event": event, "number": session.number,
                "when": describe(session.booking.starts_at, zone),
                "previous": describe(previous, zone) if previous else "",
                "counts_as_used": session.counts_as_used,
                "minutes": int((session.booking.ends_at - session.booking.starts_at).total_seconds() // 60),
                "video_link": profile.video_link, "url": url,
            },
        )


# --- The log ------------------------------------------------------------------------------------------

LOG_FIELDS = ("goals", "private_notes", "summary")


def _check_length(field: str, text: str) -> None:
    if len(text) > NOTES_MAX_LENGTH:
        raise ValidationError(
            {field: f"This is {len(text):,} characters; the most a field holds is {NOTES_MAX_LENGTH:,}. "
                    "Nothing was saved: shorten it (your text is still in the box)."}
        )


def _merge(saved: str, mine: str, when: datetime) -> tuple[str, bool]:
    """Both texts, the one already saved first, and a marked block with the one from the stale page.
    Returns (text, whether both had to be kept side by side).

    Where one text already holds the other (the same tab's own earlier save still in flight, or a
    tab that only typed on), the longer one keeps everything and nothing needs marking."""
    if not saved.strip() or saved in mine:
        return mine, False
    if not mine.strip() or mine in saved:
        return saved, False
    stamp = timezone.localtime(when).strftime("%H:%M")
    return f"{saved}\n\n--- Also typed in another tab or window (saved {stamp}): ---\n{mine}", True


@transaction.atomic
def save_log(
    *, session: CoachingSession, actor, version: int, goals: str | None = None, private_notes: str | None = None,
    summary: str | None = None, worked_on: list[str] | None = None, attendance: str | None = None,
    final: bool = False, now: datetime | None = None,
) -> tuple[CoachingSession, bool]:
    """Save what the coach typed (autosave or the final save). Returns (session, conflict).

    `version` is the one the page was showing. If the log was saved since (another tab), the texts
    are merged so that neither is lost, and `conflict` tells the page to show the merged text.
    """
    now = now or timezone.now()
    session = _lock_session(session)
    engagement = session.engagement
    require_relation(actor, engagement, COACH)
    if engagement.stage != Engagement.Stage.ACTIVE:
        raise ValidationError(f"This engagement is {engagement.get_stage_display().lower()}, not active: sessions cannot be logged.", code=NOT_ACTIVE)
    if (final or attendance is not None) and session.booking.starts_at > now:
        # Notes can be prepared ahead; how it went is recorded once it has begun (and calling it
        # off goes through cancel_session, where the contract's notice decides what it counts as).
        raise ValidationError(
            {"attendance": f"Session {session.number} has not taken place yet: its attendance is recorded once it "
                           "has begun. To call it off, cancel it from the sessions page."},
        )
    texts = {"goals": goals, "private_notes": private_notes, "summary": summary}
    for field, text in texts.items():
        if text is not None:
            _check_length(field, text)
    stale = version != session.version
    conflict = False
    current = {"goals": session.goals, "summary": session.summary, "private_notes": encryption.decrypt(session.private_notes_ciphertext)}
    for field, text in texts.items():
        if text is None:
            continue
        if stale:
            current[field], merged = _merge(current[field], text, now)
            conflict = conflict or merged
        else:
            current[field] = text
        if len(current[field]) > NOTES_MAX_LENGTH:
            raise ValidationError({field: "Merging with the other tab's text makes this too long; shorten it and save again."})
    session.goals, session.summary = current["goals"], current["summary"]
    session.private_notes_ciphertext = encryption.encrypt(current["private_notes"])
    if worked_on is not None:
        allowed = set(selectors.worked_on_choices(session))
        session.worked_on = [name for name in worked_on if name in allowed]
    if attendance is not None:
        if attendance not in Attendance.values:
            raise ValidationError({"attendance": "Choose how the session went."})
        session.attendance = attendance
    if final:
        if session.attendance == Attendance.SCHEDULED:
            session.attendance = Attendance.HELD
        session.logged_at = session.logged_at or now
    session.last_saved_at = now
    session.version += 1
    session.save()
    if session.is_cancelled or session.attendance == Attendance.NO_SHOW:
        Booking.objects.filter(pk=session.booking_id).update(is_active=False)
    publish(SessionLogSaved(session=session, now=now, attendance_recorded=attendance is not None or final))
    # Which fields changed, never what they say.
    audit.record(actor=actor, action="coaching_session.logged" if final else "coaching_session.draft_saved",
                 subject=str(session), fields=[f for f, t in texts.items() if t is not None], conflict=conflict)
    # A draft kept while signed out has now reached the log (the page showed it in the fields).
    LogDraft.objects.filter(session=session).delete()
    return session, conflict


DRAFT_TOKEN_SALT = "sessions.log-draft"
DRAFT_TOKEN_MAX_AGE = timedelta(days=2)


def log_draft_token(*, session: CoachingSession, coach) -> str:
    """A signed token the log page carries, so typing goes on being kept after the sign-in expires."""
    return signing.dumps({"session": session.pk, "coach": coach.pk, "practice": session.practice_id}, salt=DRAFT_TOKEN_SALT)


@transaction.atomic
def keep_signed_out_draft(
    *, token: str, session_id: int, goals: str | None, private_notes: str | None, summary: str | None,
    worked_on: list[str] | None,
) -> LogDraft:
    """Keep what was typed on a log page whose sign-in expired, until the coach is back.

    Only the page's own token (this session, its coach, this practice, recent) opens this door, and
    it leads only to the draft: the log itself changes when the signed-in coach saves.
    """
    try:
        claims = signing.loads(token, salt=DRAFT_TOKEN_SALT, max_age=DRAFT_TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise ValidationError("This page is too old to keep a draft while you are signed out. Copy your text, "
                              "sign in again and paste it.") from None
    if claims.get("session") != session_id or claims.get("practice") != require_practice().pk:
        raise CoachingSession.DoesNotExist
    session = CoachingSession.objects.select_related("engagement").get(
        pk=session_id, engagement__coach_id=claims["coach"], engagement__stage=Engagement.Stage.ACTIVE
    )
    for field, text in (("goals", goals), ("private_notes", private_notes), ("summary", summary)):
        if text is not None:
            _check_length(field, text)
    lock_engagement(session.engagement_id)
    draft = LogDraft.objects.select_for_update().filter(session=session).first() or LogDraft(
        session=session, author_id=claims["coach"], goals=session.goals, summary=session.summary,
        worked_on=session.worked_on, private_notes_ciphertext=session.private_notes_ciphertext,
    )
    if goals is not None:
        draft.goals = goals
    if summary is not None:
        draft.summary = summary
    if private_notes is not None:
        draft.private_notes_ciphertext = encryption.encrypt(private_notes)
    if worked_on is not None:
        allowed = set(selectors.worked_on_choices(session))
        draft.worked_on = [name for name in worked_on if name in allowed]
    draft.save()
    return draft


# --- Actions, reflections, sharing -----------------------------------------------------------------


@transaction.atomic
def add_action(*, session: CoachingSession, actor, text: str, owner: str, due_date: date | None, today: date | None = None) -> ActionItem:
    today = today or timezone.localdate()
    _active_engagement(session.engagement, actor)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say what is to be done."})
    if due_date is not None and due_date < today:
        raise ValidationError({"due_date": "The due date is in the past: choose today or a later day."})
    if owner not in ActionItem.Owner.values:
        raise ValidationError({"owner": "Choose who owns this action."})
    action = ActionItem.objects.create(session=session, engagement=session.engagement, text=text, owner=owner, due_date=due_date)
    audit.record(actor=actor, action="action_item.added", subject=str(session))
    publish(ActionItemChanged(action=action))
    return action


@transaction.atomic
def set_action_done(*, action: ActionItem, actor, done: bool, now: datetime | None = None) -> ActionItem:
    """The coachee (or the coach) ticks an action off, or opens it again."""
    lock_engagement(action.engagement_id)
    action = ActionItem.objects.select_for_update(of=("self",)).select_related("engagement").get(pk=action.pk)
    require_relation(actor, action.engagement, frozenset({COACH, COACHEE}))
    action.status = ActionItem.Status.DONE if done else ActionItem.Status.OPEN
    action.done_at = (now or timezone.now()) if done else None
    action.save(update_fields=["status", "done_at", "updated_at"])
    audit.record(actor=actor, action="action_item.done" if done else "action_item.reopened", subject=f"action {action.pk}")
    publish(ActionItemChanged(action=action))
    return action


@transaction.atomic
def remove_action(*, action: ActionItem, actor) -> None:
    """The coach takes back an action added by mistake (a typo, the wrong owner): it goes, with its
    reminder, and the audit keeps a line saying so."""
    lock_engagement(action.engagement_id)
    action = ActionItem.objects.select_for_update(of=("self",)).select_related("engagement", "session").get(pk=action.pk)
    _active_engagement(action.engagement, actor)
    publish(ActionItemRemoved(action=action))
    audit.record(actor=actor, action="action_item.removed", subject=str(action.session))
    action.delete()


@transaction.atomic
def add_reflection(*, engagement: Engagement, actor, text: str) -> CoacheeReflection:
    require_relation(actor, engagement, COACHEE)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write your reflection first."})
    _check_length("text", text)
    return CoacheeReflection.objects.create(engagement=engagement, author=actor, text=text)


@transaction.atomic
def share_summary_with_sponsor(*, session: CoachingSession, actor, shared: bool) -> CoachingSession:
    """The coachee's choice, per summary."""
    session = _lock_session(session)
    require_relation(actor, session.engagement, COACHEE)
    if shared and (session.logged_at is None or not session.summary.strip()):
        # Shared is a choice about a summary the coachee has read, not a blank cheque for one to come.
        raise ValidationError("This session has no summary to share yet.")
    session.summary_shared_with_sponsor = shared
    session.save(update_fields=["summary_shared_with_sponsor", "updated_at"])
    audit.record(actor=actor, action="session_summary.shared" if shared else "session_summary.unshared", subject=str(session))
    return session


@transaction.atomic
def reencrypt_private_notes() -> int:
    """Re-encrypt every private note of the current practice under the first key (key rotation)."""
    count = 0
    with_notes = CoachingSession.objects.exclude(private_notes_ciphertext="")
    for engagement_id in with_notes.order_by("engagement_id").values_list("engagement_id", flat=True).distinct():
        lock_engagement(engagement_id)  # the lock order: engagement, then its sessions
        for session in with_notes.select_for_update().filter(engagement_id=engagement_id):
            session.private_notes_ciphertext = encryption.reencrypt(session.private_notes_ciphertext)
            session.save(update_fields=["private_notes_ciphertext", "updated_at"])
            count += 1
    return count


@transaction.atomic
def update_worked_on_topics(*, actor, names: list[str]) -> list[str]:
    """The practice admin's list, in the order given. Removed entries are retired, not deleted, so
    sessions that ticked them keep saying so."""
    ensure_worked_on_topics()
    cleaned: list[str] = []
    for name in (name.strip() for name in names):
        if name and name.lower() not in {c.lower() for c in cleaned}:
            if len(name) > 120:
                raise ValidationError({"topics": f"“{name[:40]}…” is longer than 120 characters."})
            cleaned.append(name)
    if not cleaned:
        raise ValidationError({"topics": "Keep at least one entry."})
    existing = {topic.name.lower(): topic for topic in WorkedOnTopic.objects.select_for_update()}
    for position, name in enumerate(cleaned):
        topic = existing.pop(name.lower(), None) or WorkedOnTopic(name=name)
        topic.name, topic.position, topic.is_active = name, position, True
        topic.save()
    WorkedOnTopic.objects.filter(pk__in=[topic.pk for topic in existing.values()]).update(is_active=False)
    audit.record(actor=actor, action="worked_on_topics.updated", subject="What was worked on: the list", count=len(cleaned))
    return cleaned
