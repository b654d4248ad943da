"""Sending what is due through an outbox: a worker that dies re-sends at most one message, loses none.

One call handles one batch of one practice in short transactions of its own (the task calls it with
no transaction open; inside one it still works, but then nothing commits until that one ends):
1. Claim. Take up to `batch_size` rows with SELECT … FOR UPDATE SKIP LOCKED (a second worker skips
   them, never waits for them): first rows a dead worker left `sending` past their lease, then
   pending rows whose time has come. Decide each (still applies? stale? paused? unsubscribed? no
   address? digest reader?), write the message of each one to send, and COMMIT: the skipped and
   deferred rows with their reasons, the others as `sending` under this dispatch's claim. The row
   locks end there; none is held while the mail server is talked to.
2. Hand over, one message at a time, with no transaction open; then mark it sent in a transaction of
   its own (one UPDATE by primary key, one round trip) before the next one goes, or to retry, with
   backoff, giving up after MAX_ATTEMPTS. A message whose reminders were last checked more than
   RECHECK_AFTER ago is checked again first, with the CHECK_AHEAD next ones, on fresh copies of what
   they are about; those that no longer apply are skipped.

A worker killed mid-batch leaves the message it was handing over and those it had not reached
`sending`. Once their lease has run out a later dispatch claims them again: that one message goes a
second time with the same Message-ID (derived from the reminder's key), the others for the first.

The lease: a live worker must never have a row taken from it, or two would send it. Every SMTP
timeout or so (checked between messages) the dispatch renews the claim time of all the rows it still
holds, so a row's claim is at most one SMTP timeout plus one hand-over old. A hand-over waits on the
mail server's socket a handful of times (connect, MAIL, RCPT, DATA, the body, the reply), each wait
bounded by the SMTP timeout the dispatcher always sets (EMAIL_TIMEOUT, else 30 s); so the lease is
ten SMTP timeouts, five minutes by default. Only a dispatch that stalls longer than that (a frozen
process) can lose rows to another; it notices at its next renewal and leaves them to it, so at most
the message it held goes twice.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.utils import timezone

from coachhub.accounts.models import User
from reminders import emails
from reminders.kinds import DIGEST_TIME, KINDS, WEEK, next_local_time
from reminders.models import EngagementPause, NotificationSettings, Reminder
from reminders.zones import known_zones, zones_of
from coachhub.roster.models import CoachProfile
from coachhub.tenancy.context import execute_alone, practice_context, require_practice
from coachhub.tenancy.models import Membership, Practice

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
MAX_ATTEMPTS = 6
SMTP_TIMEOUT_SECONDS = 30
LEASE_IN_SMTP_TIMEOUTS = 10
# A reminder is sent on a check of its subject at most this old: past it, the message whose turn has
# come and the CHECK_AHEAD - 1 after it are checked again (one query per kind, not per message). A
# batch sent briskly goes on the check made as it was claimed; a slow mail server gets checks as it goes.
RECHECK_AFTER = timedelta(seconds=2)
CHECK_AHEAD = 10
# Everything a dispatch may change on a row it holds.
ROW_FIELDS = [
    "state", "sent_at", "reason", "attempts", "next_attempt_at", "for_digest", "claim", "claimed_at", "updated_at",
]


@dataclass
class Outcome:
    claimed: int = 0
    reclaimed: int = 0  # of which left `sending` by a dispatch that did not finish
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    retrying: int = 0
    batch_size: int = BATCH_SIZE

    @property
    def full_batch(self) -> bool:
        """A full batch: more may be due, so the dispatcher runs again at once."""
        return self.claimed >= self.batch_size


@dataclass
class Delivery:
    """One message and the rows it carries: one reminder, or a reader's morning digest."""

    rows: list[Reminder]
    message: EmailMultiAlternatives
    checked_at: datetime  # when what its rows are about was last loaded and found to still apply
    # A digest is written again, without them, when some of its rows no longer apply at hand-over.
    rewrite: Callable[[list[Reminder]], EmailMultiAlternatives] | None = None


def smtp_timeout() -> float:
    """Seconds the mail server may keep a dispatcher waiting on its socket (never unbounded)."""
    return settings.EMAIL_TIMEOUT or SMTP_TIMEOUT_SECONDS


def lease() -> timedelta:
    """How long a claimed row is left to its dispatch since its claim time was set or last renewed."""
    return timedelta(seconds=LEASE_IN_SMTP_TIMEOUTS * smtp_timeout())


def _due(now: datetime) -> Q:
    """Pending and due, or left `sending` past the lease by a dispatch that did not finish."""
    return (
        Q(state=Reminder.State.PENDING, next_attempt_at__lte=now)
        | Q(state=Reminder.State.SENDING, claimed_at__lte=now - lease())
    )


def due_count(*, now: datetime | None = None) -> int:
    return Reminder.objects.filter(_due(now or timezone.now())).count()


def _skip(row: Reminder, reason: str, outcome: Outcome) -> None:
    row.state, row.reason = Reminder.State.SKIPPED, reason[:200]
    outcome.skipped += 1
    logger.info("reminder %s skipped: %s", row.pk, reason)


def _clock(now: datetime) -> Callable[[], datetime]:
    """`now`, moving on as real time does: a dispatch run "as the clock says" stays on that clock."""
    started = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - started)


def dispatch_due(*, practice: Practice | None = None, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> Outcome:
    """Claim one batch of `practice`'s due reminders (the current one's by default) and send it."""
    practice = practice or require_practice()
    now = now or timezone.now()
    outcome = Outcome(batch_size=batch_size)
    if practice.is_suspended:
        # Kept, not lost: when the practice is reactivated they go out late, or are skipped as stale.
        with practice_context(practice):
            due = due_count(now=now)
        if due:
            logger.warning("practice %s is suspended: %d due reminders stay pending", practice.slug, due)
        return outcome
    claim = uuid.uuid4()
    with practice_context(practice):
        deliveries = _claim(practice, claim, now, batch_size, outcome)
    _hand_over(practice, claim, deliveries, _clock(now), outcome)
    logger.info(
        "reminders for %s: %d claimed (%d again), %d sent, %d skipped, %d deferred to a digest, %d to retry",
        practice.slug, outcome.claimed, outcome.reclaimed, outcome.sent, outcome.skipped, outcome.deferred,
        outcome.retrying,
    )
    return outcome


def _take_due(now: datetime, batch_size: int, outcome: Outcome) -> list[Reminder]:
    """Lock up to `batch_size` due rows: those a stopped dispatch left `sending` first (oldest), then pending."""
    locked = Reminder.objects.select_for_update(skip_locked=True)
    rows = list(
        locked.filter(state=Reminder.State.SENDING, claimed_at__lte=now - lease()).order_by("claimed_at", "pk")[:batch_size]
    )
    if rows:
        logger.warning("%d reminders left sending past their lease are claimed again", len(rows))
    outcome.reclaimed = len(rows)
    if len(rows) < batch_size:
        rows += locked.filter(state=Reminder.State.PENDING, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "recipient_id", "pk"
        )[: batch_size - len(rows)]
    outcome.claimed = len(rows)
    return rows


def _claim(practice: Practice, claim: uuid.UUID, now: datetime, batch_size: int, outcome: Outcome) -> list[Delivery]:
    """Step 1, inside the practice's transaction: decide each claimed row and write the messages to send."""
    rows = _take_due(now, batch_size, outcome)
    if not rows:
        return []
    by_kind: dict[str, list[Reminder]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    objects: dict[tuple[str, int], object] = {}
    for kind_name, kind_rows in by_kind.items():
        kind = KINDS.get(kind_name)
        if kind is None:
            continue
        loaded = kind.load({_subject_pk(r) for r in kind_rows})
        objects.update({(kind.prefix, pk): obj for pk, obj in loaded.items()})
    recipient_ids = {r.recipient_id for r in rows}
    recipients = User.objects.in_bulk(recipient_ids)
    # Someone whose every membership here has ended (a coach who left, a sponsor moved on) hears no
    # more about the practice's engagements; a leader who only booked a chemistry call has none yet.
    memberships = Membership.objects.filter(user_id__in=recipient_ids).values_list("user_id", "is_active")
    departed = {user for user, _ in memberships} - {user for user, active in memberships if active}
    preferences = {s.user_id: s for s in NotificationSettings.objects.filter(user_id__in=recipient_ids)}
    paused = set(EngagementPause.objects.filter(
        engagement_id__in={r.engagement_id for r in rows if r.engagement_id}
    ).values_list("engagement_id", flat=True))
    zones = zones_of(recipient_ids)
    profiles = {p.user_id: p for p in CoachProfile.objects.filter(user_id__in={*recipient_ids, *_coach_ids(objects)})}
    stationery = emails.Stationery(practice)

    deliveries: list[Delivery] = []
    digests: dict[int, list[tuple[Reminder, dict]]] = defaultdict(list)
    with known_zones(zones):
        for row in rows:
            kind = KINDS.get(row.kind)
            if kind is None:
                _skip(row, f"unknown kind {row.kind}", outcome)
                continue
            obj = objects.get((kind.prefix, _subject_pk(row)))
            if obj is None:
                _skip(row, f"{row.subject} no longer exists", outcome)
                continue
            row._subject_obj = obj
            reason = kind.still_applies(obj, row)
            if reason:
                _skip(row, reason, outcome)
                continue
            stale_at = kind.stale_at(obj, row)
            if now >= stale_at:
                _skip(row, f"stale: due {row.due_at:%Y-%m-%d %H:%M} UTC, pointless after {stale_at:%Y-%m-%d %H:%M} UTC", outcome)
                continue
            if row.engagement_id in paused:
                _skip(row, "reminders are paused for this engagement", outcome)
                continue
            recipient = recipients.get(row.recipient_id)
            if recipient is None or not recipient.is_active or not recipient.email:
                _skip(row, "the recipient has no active account with an email address", outcome)
                continue
            if row.recipient_id in departed:
                _skip(row, "the recipient's access to this practice has ended", outcome)
                continue
            preference = preferences.get(row.recipient_id)
            if preference is not None and not preference.wants(row.kind):
                _skip(row, "the recipient turned these reminders off", outcome)
                continue
            zone = zones[row.recipient_id]
            try:
                context = emails.reminder_context(kind, obj, row, recipient, zone, profiles, stationery)
                if preference is not None and preference.morning_digest:
                    if row.for_digest:
                        digests[row.recipient_id].append((row, context))
                        continue
                    digest_at = next_local_time(now, DIGEST_TIME, zone)
                    if digest_at < stale_at:
                        row.state, row.for_digest, row.next_attempt_at = Reminder.State.PENDING, True, digest_at
                        outcome.deferred += 1
                        continue
                message = emails.reminder_message(kind.template, context, recipient, row.message_id, row.kind, stationery)
            except Exception as error:  # noqa: BLE001 - one broken reminder must not block the batch every minute
                logger.exception("reminder %s could not be written", row.pk)
                _skip(row, f"could not be written: {error}", outcome)
                continue
            deliveries.append(Delivery([row], message, now))
        for recipient_id, entries in digests.items():
            deliveries.append(_digest(entries, recipients[recipient_id], zones[recipient_id], stationery, now))

    sending = [row for delivery in deliveries for row in delivery.rows]
    for row in sending:
        row.state, row.claim, row.claimed_at = Reminder.State.SENDING, claim, now
    # One plain UPDATE for the many rows to send; the few skipped or deferred each carry their own values.
    Reminder.objects.filter(pk__in=[row.pk for row in sending]).update(
        state=Reminder.State.SENDING, claim=claim, claimed_at=now, updated_at=now,
    )
    _save([row for row in rows if row.state != Reminder.State.SENDING], now)
    return deliveries


def _hand_over(
    practice: Practice, claim: uuid.UUID, deliveries: list[Delivery], clock: Callable[[], datetime], outcome: Outcome,
) -> None:
    """Step 2: each message to the mail server with no transaction open, settled in a short one after."""
    if not deliveries:
        return
    connection = get_connection(timeout=smtp_timeout())
    try:
        connection.open()
    except Exception as error:  # noqa: BLE001 - a mail server that is down: every message retries later
        logger.warning("email backend unavailable (%s): %d messages retry later", error, len(deliveries))
        with practice_context(practice):
            rows = [row for delivery in deliveries for row in delivery.rows]
            _retry_later(rows, claim, clock(), f"email backend unavailable: {error}", outcome)
        return
    handed: tuple[Delivery, str | None] | None = None  # the last message handed over, and why it failed
    renewed_at = clock()
    try:
        for index, delivery in enumerate(deliveries):
            if handed:
                _settle(practice, *handed, claim, clock(), outcome)
                handed = None
            renew = clock() - renewed_at >= lease() / LEASE_IN_SMTP_TIMEOUTS
            check = clock() - delivery.checked_at > RECHECK_AFTER
            if renew or check:
                with practice_context(practice):
                    if renew:
                        renewed_at = clock()
                        _renew(deliveries[index:], claim, renewed_at)
                    if check:
                        _check_again(deliveries[index:index + CHECK_AHEAD], claim, clock(), outcome)
            if not delivery.rows:
                continue
            try:
                connection.send_messages([delivery.message])
                handed = (delivery, None)
            except Exception as error:  # noqa: BLE001 - one refused recipient must not stop the batch
                logger.warning("reminder email to %s failed (%s)", delivery.message.to, error)
                handed = (delivery, f"delivery failed: {error}")
        if handed:
            _settle(practice, *handed, claim, clock(), outcome)
    finally:
        connection.close()


def _renew(remaining: list[Delivery], claim: uuid.UUID, at: datetime) -> None:
    """Renew the claim on every row this dispatch has yet to send, every SMTP timeout or so: its rows
    never run out of lease while it lives, whatever the length of the batch."""
    expected = sum(len(delivery.rows) for delivery in remaining)
    if Reminder.objects.filter(claim=claim, state=Reminder.State.SENDING).update(claimed_at=at) < expected:
        # This dispatch stalled past the lease and another took rows over: they are that one's to send.
        held = set(Reminder.objects.filter(claim=claim, state=Reminder.State.SENDING).values_list("pk", flat=True))
        logger.warning("another dispatch took over reminders of this batch after their lease ran out")
        for delivery in remaining:
            _keep(delivery, [row for row in delivery.rows if row.pk in held])


def _check_again(group: list[Delivery], claim: uuid.UUID, at: datetime, outcome: Outcome) -> None:
    """Just before they go, check the next messages' reminders still apply, on fresh copies of their subjects."""
    for delivery in group:
        delivery.checked_at = at
    by_kind: dict[str, list[Reminder]] = defaultdict(list)
    for delivery in group:
        for row in delivery.rows:
            by_kind[row.kind].append(row)
    reasons: dict[int, str] = {}
    for kind_name, rows in by_kind.items():
        kind = KINDS[kind_name]
        fresh = kind.load({_subject_pk(row) for row in rows})
        for row in rows:
            obj = row._subject_obj = fresh.get(_subject_pk(row))
            reason = f"{row.subject} no longer exists" if obj is None else kind.still_applies(obj, row)
            if reason:
                reasons[row.pk] = reason
    if not reasons:
        return
    skipped = _held([row for delivery in group for row in delivery.rows if row.pk in reasons], claim)
    for row in skipped:
        _skip(row, reasons[row.pk], outcome)
    _save(skipped, at)
    for delivery in group:
        _keep(delivery, [row for row in delivery.rows if row.pk not in reasons])


def _keep(delivery: Delivery, rows: list[Reminder]) -> None:
    """The message now carries only `rows`: none, or a digest written again without the others."""
    if len(rows) == len(delivery.rows):
        return
    delivery.rows = rows if rows and delivery.rewrite else []
    if delivery.rows:
        delivery.message = delivery.rewrite(rows)


def _held(rows: list[Reminder], claim: uuid.UUID) -> list[Reminder]:
    """Those of `rows` this dispatch still holds, locked until the transaction ends."""
    held = set(Reminder.objects.select_for_update().filter(
        pk__in=[row.pk for row in rows], claim=claim, state=Reminder.State.SENDING,
    ).values_list("pk", flat=True))
    return [row for row in rows if row.pk in held]


def _settle(
    practice: Practice, delivery: Delivery, failure: str | None, claim: uuid.UUID, at: datetime, outcome: Outcome,
) -> None:
    """After a hand-over: its rows are sent, or wait to be tried again. Its own transaction, committed
    before the next message goes: a worker killed later sends this one no more."""
    if failure:
        with practice_context(practice):
            _retry_later(delivery.rows, claim, at, failure, outcome)
        return
    ids = [row.pk for row in delivery.rows]
    if any(KINDS[row.kind].recurring for row in delivery.rows):
        # The next weekly reminder is written with the mark, in the same transaction, or it could be lost.
        with practice_context(practice):
            marked = _mark_sent(practice, ids, claim, at)
            for row in delivery.rows:
                row.state = Reminder.State.SENT
            _chain_following(delivery.rows, at)
    else:
        marked = _mark_sent(practice, ids, claim, at)
        for row in delivery.rows:
            row.state = Reminder.State.SENT
    if marked < len(delivery.rows):
        logger.warning("reminders %s were sent after another dispatch took them over: they may go twice", ids)
    outcome.sent += len(delivery.rows)


def _mark_sent(practice: Practice, ids: list[int], claim: uuid.UUID, at: datetime) -> int:
    """Mark a message's rows sent, if still this dispatch's: once per message, so one statement by
    primary key in one round trip (execute_alone), committed before the next message goes.

    It commits without waiting for the write-ahead log to reach the disk (waiting once per message
    would cost more than the rest of the message). A killed worker loses nothing by it: the server
    has the commit. Only a crash of PostgreSQL itself could forget the last fraction of a second of
    marks; those few messages would go again after their lease, with their Message-IDs. Row-Level
    Security applies as to the ORM's queries; the practice is in the WHERE clause as the scoped
    manager would put it."""
    return execute_alone(
        practice,
        f"UPDATE {Reminder._meta.db_table}"
        " SET state = %s, sent_at = %s, reason = '', attempts = attempts + 1, updated_at = %s"
        " WHERE practice_id = %s AND id = ANY(%s) AND claim = %s AND state = %s",
        [Reminder.State.SENT, at, at, practice.pk, ids, claim, Reminder.State.SENDING],
        wait_for_disk=False,
    )


def _subject_pk(row: Reminder) -> int:
    return int(row.subject.split(":", 1)[1])


def _coach_ids(objects: dict) -> set[int]:
    """The coaches of the batch's calls and engagements, whose profiles give the video link."""
    ids = set()
    for obj in objects.values():
        ids.add(getattr(obj, "coach_id", None))
        ids.add(getattr(getattr(obj, "engagement", None), "coach_id", None))
    ids.discard(None)
    return ids


def _digest(
    entries: list[tuple[Reminder, dict]], recipient, zone: str, stationery: emails.Stationery, checked_at: datetime,
) -> Delivery:
    def without_the_rest(kept: list[Reminder]) -> EmailMultiAlternatives:
        return emails.digest_message([entry for entry in entries if entry[0] in kept], recipient, zone, stationery)

    message = emails.digest_message(entries, recipient, zone, stationery)
    return Delivery([row for row, _ in entries], message, checked_at, rewrite=without_the_rest)


def _retry_later(rows: list[Reminder], claim: uuid.UUID, now: datetime, reason: str, outcome: Outcome) -> None:
    """Back off (5, 10, 20, ... minutes) and try again; after MAX_ATTEMPTS, give up saying why."""
    rows = _held(rows, claim)
    for row in rows:
        row.attempts += 1
        if row.attempts >= MAX_ATTEMPTS:
            _skip(row, f"gave up after {row.attempts} attempts: {reason}", outcome)
            logger.error("reminder %s given up after %d attempts: %s", row.pk, row.attempts, reason)
        else:
            row.state = Reminder.State.PENDING
            row.next_attempt_at = now + timedelta(minutes=5 * 2 ** (row.attempts - 1))
            row.reason = reason[:200]
            outcome.retrying += 1
    _save(rows, now)


def _save(rows: list[Reminder], now: datetime) -> None:
    """Write the rows' new state in one statement, and chain the next weekly reminder of those done."""
    for row in rows:
        row.updated_at = now
    Reminder.objects.bulk_update(rows, ROW_FIELDS, batch_size=1000)
    _chain_following(rows, now)


def _chain_following(rows: list[Reminder], now: datetime) -> None:
    """A recurring reminder sent or skipped while its subject still wants it: the next one, a week on."""
    following = []
    for row in rows:
        kind = KINDS.get(row.kind)
        obj = getattr(row, "_subject_obj", None)
        if kind is None or not kind.recurring or obj is None or row.state not in (Reminder.State.SENT, Reminder.State.SKIPPED):
            continue
        if kind.still_applies(obj, row) is not None:
            continue
        due = row.due_at + WEEK
        while due <= now:
            due += WEEK
        following.append(Reminder(
            practice_id=row.practice_id, subject=row.subject, kind=row.kind, engagement_id=row.engagement_id,
            recipient_id=row.recipient_id, due_at=due, next_attempt_at=due,
        ))
    Reminder.objects.bulk_create(following, ignore_conflicts=True)
