"""The coach's log of a session: saving it (autosave and the final save, merging what another
tab saved), a draft kept while signed out, the practice's "worked on" list, and re-encrypting
private notes under a new key. Private notes are encrypted before they reach the model and never
appear in audit rows or errors.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coachhub.roster.models import Booking
from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.events import publish
from coachhub.tenancy.signed import read_signed
from engagements.access import COACH, require_relation
from engagements.locking import lock_engagement
from engagements.models import Engagement
from sessions import encryption, selectors
from sessions.events import SessionLogSaved
from sessions.models import (
    DEFAULT_WORKED_ON_TOPICS,
    NOTES_MAX_LENGTH,
    Attendance,
    CoachingSession,
    LogDraft,
    WorkedOnTopic,
)
from sessions.services.booking import NOT_ACTIVE, lock_session

LOG_FIELDS = ("goals", "private_notes", "summary")


def check_length(field: str, text: str) -> None:
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
    session = lock_session(session)
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
            check_length(field, text)
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
                 subject=session, fields=[f for f, t in texts.items() if t is not None], conflict=conflict)
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
    claims = read_signed(
        token, salt=DRAFT_TOKEN_SALT, shape={"session": int, "coach": int, "practice": int}, max_age=DRAFT_TOKEN_MAX_AGE
    )
    if claims is None:
        raise ValidationError("This page is too old to keep a draft while you are signed out. Copy your text, "
                              "sign in again and paste it.")
    if claims.get("session") != session_id or claims.get("practice") != require_practice().pk:
        raise CoachingSession.DoesNotExist
    session = CoachingSession.objects.select_related("engagement").get(
        pk=session_id, engagement__coach_id=claims["coach"], engagement__stage=Engagement.Stage.ACTIVE
    )
    for field, text in (("goals", goals), ("private_notes", private_notes), ("summary", summary)):
        if text is not None:
            check_length(field, text)
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


@transaction.atomic
def ensure_worked_on_topics() -> list[str]:
    """The practice's list, saved from the default list the first time it is written (edited or
    seeded); pages read the defaults without saving them (selectors.worked_on_topics)."""
    if not WorkedOnTopic.objects.exists():
        for position, name in enumerate(DEFAULT_WORKED_ON_TOPICS):
            WorkedOnTopic.objects.get_or_create(name=name, defaults={"position": position})
    return selectors.worked_on_topics()


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
