"""Writes: arming and disarming reminders (called inside the journey's own transactions), notification
settings, unsubscribing, pausing an engagement's reminders.

Arming is a sync: the kinds say which reminders an object should have now; pending ones no longer
wanted are cancelled (with the reason), missing ones are inserted. The unique key makes arming twice
harmless, so every service can simply call `arm_*` after any change.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from reminders.kinds import KINDS, KINDS_BY_PREFIX, digest_slot
from reminders.models import EngagementPause, NotificationSettings, Reminder
from reminders.zones import zones_of
from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice

ALL_KINDS = "all"


def _subject(prefix: str, pk: int) -> str:
    return f"{prefix}:{pk}"


def _sync(*, prefix: str, obj) -> int:
    """Make the pending reminders about `obj` those its kinds want now. Returns how many were armed."""
    practice = require_practice()
    subject = _subject(prefix, obj.pk)
    kinds = KINDS_BY_PREFIX[prefix]
    existing = list(Reminder.objects.select_for_update().filter(subject=subject))
    by_key = {(r.kind, r.recipient_id, r.due_at): r for r in existing}
    wanted: set[tuple[str, int, datetime]] = set()
    new: list[Reminder] = []
    for kind in kinds:
        engagement_id = kind.engagement_id(obj)
        for recipient_id, due_at in kind.wanted(obj):
            key = (kind.name, recipient_id, due_at)
            armed = [
                r for r in existing if r.kind == kind.name and r.recipient_id == recipient_id
                and r.state != Reminder.State.CANCELLED
            ]
            if kind.recurring and armed:
                # Armed before: the dispatcher chains the weekly ones; keep whichever is pending.
                wanted.update((r.kind, r.recipient_id, r.due_at) for r in armed)
                continue
            wanted.add(key)
            row = by_key.get(key)
            if row is None:
                new.append(Reminder(
                    practice=practice, subject=subject, kind=kind.name, engagement_id=engagement_id,
                    recipient_id=recipient_id, due_at=due_at, next_attempt_at=due_at,
                ))
            elif row.state == Reminder.State.CANCELLED:  # e.g. moved away and back again
                row.state, row.reason, row.next_attempt_at = Reminder.State.PENDING, "", due_at
                row.save(update_fields=["state", "reason", "next_attempt_at", "updated_at"])
    stale = [r for r in existing if r.state == Reminder.State.PENDING and (r.kind, r.recipient_id, r.due_at) not in wanted]
    for row in stale:
        # Say why, as the admin's reminders page shows it: "the recipient has rated", "the call was moved", ...
        kind = KINDS.get(row.kind)
        row.state, row.updated_at = Reminder.State.CANCELLED, timezone.now()
        row.reason = ((kind and kind.still_applies(obj, row)) or "no longer applies (changed or moved)")[:200]
    Reminder.objects.bulk_update(stale, ["state", "reason", "updated_at"])
    _slot_into_digests(new)
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _slot_into_digests(rows: list[Reminder]) -> None:
    """Reminders to morning-digest readers wait for the digest before they fall due (two queries)."""
    readers = set(NotificationSettings.objects.filter(
        user_id__in={row.recipient_id for row in rows}, morning_digest=True,
    ).values_list("user_id", flat=True)) if rows else set()
    if not readers:
        return
    zones, now = zones_of(readers), timezone.now()
    for row in rows:
        slot = digest_slot(row.due_at, zones[row.recipient_id], now) if row.recipient_id in readers else None
        if slot is not None:
            row.for_digest, row.next_attempt_at = True, slot


def _disarm(*, prefix: str, pk: int, reason: str) -> int:
    return Reminder.objects.filter(subject=_subject(prefix, pk), state=Reminder.State.PENDING).update(
        state=Reminder.State.CANCELLED, reason=reason[:200], updated_at=timezone.now()
    )


def arm_chemistry_call(*, call) -> int:
    """24 h and 1 h before (coach and leader), and the coach's outcome reminder after it ends."""
    return _sync(prefix="call", obj=call)


def disarm_chemistry_call(*, call, reason: str = "the chemistry call was cancelled") -> int:
    return _disarm(prefix="call", pk=call.pk, reason=reason)


def arm_coaching_session(*, session) -> int:
    """24 h and 1 h before (coach and coachee), and the coach's log reminder after it ends."""
    return _sync(prefix="session", obj=session)


def disarm_coaching_session(*, session, reason: str = "the session was cancelled") -> int:
    return _disarm(prefix="session", pk=session.pk, reason=reason)


def arm_contract(*, version) -> int:
    """Each party who has not answered: 2 days after sending, then weekly."""
    return _sync(prefix="contract", obj=version)


def disarm_contract(*, version, reason: str = "the contract version was replaced") -> int:
    return _disarm(prefix="contract", pk=version.pk, reason=reason)


def arm_action(*, action) -> int:
    """The owner, the day before the action is due (09:00 in their zone)."""
    return _sync(prefix="action", obj=action)


def disarm_action(*, action, reason: str = "the action is done") -> int:
    return _disarm(prefix="action", pk=action.pk, reason=reason)


def arm_measurement_point(*, point) -> int:
    """Each rater who has not rated, when the point falls due, then weekly until it closes."""
    return _sync(prefix="point", obj=point)


def disarm_measurement_point(*, point, reason: str = "the measurement point is closed") -> int:
    return _disarm(prefix="point", pk=point.pk, reason=reason)


def disarm_engagement(*, engagement, reason: str = "the engagement is completed") -> int:
    return Reminder.objects.filter(engagement=engagement, state=Reminder.State.PENDING).update(
        state=Reminder.State.CANCELLED, reason=reason[:200], updated_at=timezone.now()
    )


# --- Settings, unsubscribing, pausing ----------------------------------------------------------------


def settings_for(user) -> NotificationSettings:
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)


@transaction.atomic
def update_notification_settings(
    *, user, enabled_kinds: list[str], morning_digest: bool, offered_kinds: list[str] | None = None,
) -> NotificationSettings:
    """Turn on `enabled_kinds` and off the rest of `offered_kinds` (all kinds if not given); kinds
    not offered (those of the person's other roles) keep their setting."""
    offered = set(KINDS if offered_kinds is None else offered_kinds)
    unknown = (set(enabled_kinds) | offered) - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown reminder kinds: {', '.join(sorted(unknown))}")
    settings, _ = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    settings.disabled_kinds = sorted((set(settings.disabled_kinds) - offered) | (offered - set(enabled_kinds)))
    settings.morning_digest = morning_digest
    settings.save()
    if not morning_digest:
        # Those held for a digest go singly at their own time again (now, if it has passed).
        Reminder.objects.filter(recipient=user, state=Reminder.State.PENDING, for_digest=True).update(
            for_digest=False, next_attempt_at=F("due_at"), updated_at=timezone.now(),
        )
    else:
        pending = list(Reminder.objects.filter(
            recipient=user, state=Reminder.State.PENDING, for_digest=False, due_at__gt=timezone.now(),
        ))
        _slot_into_digests(pending)
        Reminder.objects.bulk_update([row for row in pending if row.for_digest], ["for_digest", "next_attempt_at"])
    audit.record(actor=user, action="reminders.settings_changed", subject=user,
                 disabled=settings.disabled_kinds, morning_digest=morning_digest)
    return settings


@transaction.atomic
def unsubscribe(*, user, kind: str) -> NotificationSettings:
    """One-click unsubscribe from one kind (or `all`), from an email's List-Unsubscribe link."""
    if kind != ALL_KINDS and kind not in KINDS:
        raise ValueError(f"Unknown reminder kind: {kind}")
    settings, _ = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    kinds = set(KINDS) if kind == ALL_KINDS else {kind}
    settings.disabled_kinds = sorted(set(settings.disabled_kinds) | kinds)
    settings.save(update_fields=["disabled_kinds", "updated_at"])
    audit.record(actor=None, action="reminders.unsubscribed", subject=user, kind=kind)
    return settings


@transaction.atomic
def set_engagement_paused(*, engagement, actor, paused: bool) -> bool:
    if paused:
        _, created = EngagementPause.objects.get_or_create(engagement=engagement, defaults={"paused_by": actor})
    else:
        created = EngagementPause.objects.filter(engagement=engagement).delete()[0] > 0
    if created:
        audit.record(actor=actor, action="reminders.paused" if paused else "reminders.resumed", subject=engagement)
    return paused
