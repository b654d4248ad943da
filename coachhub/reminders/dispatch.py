"""Sending what is due, exactly once.

One call handles one batch of one practice, inside the task's transaction (PracticeTask opens it):
1. claim up to `batch_size` pending rows whose time has come with SELECT … FOR UPDATE SKIP LOCKED —
   a second worker skips them, never waits for them or takes them too;
2. decide each one: still applies? stale? paused? unsubscribed? no address? digest reader?
3. hand the messages to the email backend, then mark the rows sent/skipped in the same transaction.

If the worker dies mid-batch, PostgreSQL rolls the transaction back: the rows are pending again and
unlocked, and the next run takes them. Messages of that batch already handed over are sent again with
the same Message-ID (derived from the reminder's key); the file backend writes one file per Message-ID
(a second copy is refused and logged), and a mail server or client can recognise the resend.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coachhub.accounts.models import User
from coachhub.reminders.kinds import DIGEST_TIME, KINDS, WEEK, next_local_time
from coachhub.reminders.models import EngagementPause, NotificationSettings, Reminder
from coachhub.reminders.zones import known_zones, zones_of
from coachhub.roster.models import CoachProfile
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.mail import from_address
from coachhub.tenancy.timezones import describe

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
MAX_ATTEMPTS = 6
UNSUBSCRIBE_SALT = "reminders.unsubscribe"


@dataclass
class Outcome:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    retrying: int = 0
    batch_size: int = BATCH_SIZE

    @property
    def full_batch(self) -> bool:
        """A full batch: more may be due, so the dispatcher runs again at once."""
        return self.claimed >= self.batch_size


def practice_base_url(practice) -> str:
    port = f":{settings.PORT}" if settings.DEBUG and settings.PORT not in (80, 443) else ""
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{practice.host}{port}"


def unsubscribe_token(*, practice_id: int, user_id: int, kind: str) -> str:
    return signing.dumps({"p": practice_id, "u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


def due_count(*, now: datetime | None = None) -> int:
    return Reminder.objects.filter(state=Reminder.State.PENDING, next_attempt_at__lte=now or timezone.now()).count()


def _skip(row: Reminder, reason: str, outcome: Outcome) -> None:
    row.state, row.reason = Reminder.State.SKIPPED, reason[:200]
    outcome.skipped += 1
    logger.info("reminder %s skipped: %s", row.pk, reason)


def dispatch_due(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> Outcome:
    """Claim and handle one batch of the current practice's due reminders. Call inside a transaction."""
    practice = require_practice()
    now = now or timezone.now()
    outcome = Outcome(batch_size=batch_size)
    rows = list(
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(state=Reminder.State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "recipient_id", "pk")[:batch_size]
    )
    if rows and practice.is_suspended:
        # Kept, not lost: when the practice is reactivated they go out late, or are skipped as stale.
        logger.warning("practice %s is suspended: %d due reminders stay pending", practice.slug, len(rows))
        return outcome
    outcome.claimed = len(rows)
    if not rows:
        return outcome

    by_kind: dict[str, list[Reminder]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    objects: dict[tuple[str, int], object] = {}
    for kind_name, kind_rows in by_kind.items():
        kind = KINDS.get(kind_name)
        if kind is None:
            continue
        loaded = kind.load({int(r.subject.split(":", 1)[1]) for r in kind_rows})
        objects.update({(kind.prefix, pk): obj for pk, obj in loaded.items()})
    recipient_ids = {r.recipient_id for r in rows}
    recipients = User.objects.in_bulk(recipient_ids)
    preferences = {s.user_id: s for s in NotificationSettings.objects.filter(user_id__in=recipient_ids)}
    paused = set(EngagementPause.objects.filter(
        engagement_id__in={r.engagement_id for r in rows if r.engagement_id}
    ).values_list("engagement_id", flat=True))
    zones = zones_of(recipient_ids)
    profiles = {p.user_id: p for p in CoachProfile.objects.filter(user_id__in={*recipient_ids, *_coach_ids(objects)})}
    base_url = practice_base_url(practice)

    to_send: list[tuple[list[Reminder], EmailMultiAlternatives]] = []
    digests: dict[int, list[tuple[Reminder, dict]]] = defaultdict(list)
    with known_zones(zones):
        for row in rows:
            kind = KINDS.get(row.kind)
            if kind is None:
                _skip(row, f"unknown kind {row.kind}", outcome)
                continue
            obj = objects.get((kind.prefix, int(row.subject.split(":", 1)[1])))
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
            preference = preferences.get(row.recipient_id)
            if preference is not None and not preference.wants(row.kind):
                _skip(row, "the recipient turned these reminders off", outcome)
                continue
            zone = zones[row.recipient_id]
            try:
                context = _context(kind, obj, row, recipient, zone, profiles, base_url)
                if preference is not None and preference.morning_digest:
                    if row.for_digest:
                        digests[row.recipient_id].append((row, context))
                        continue
                    digest_at = next_local_time(now, DIGEST_TIME, zone)
                    if digest_at < stale_at:
                        row.for_digest, row.next_attempt_at = True, digest_at
                        outcome.deferred += 1
                        continue
                message = _message(kind.template, context, recipient, row.message_id, row.kind, practice)
            except Exception as error:  # noqa: BLE001 - one broken reminder must not block the batch every minute
                logger.exception("reminder %s could not be written", row.pk)
                _skip(row, f"could not be written: {error}", outcome)
                continue
            to_send.append(([row], message))
        for recipient_id, entries in digests.items():
            to_send.append(_digest(entries, recipients[recipient_id], zones[recipient_id], base_url, practice))

    _deliver(to_send, now, outcome)
    _finish(rows, now)
    logger.info(
        "reminders for %s: %d claimed, %d sent, %d skipped, %d deferred to a digest, %d to retry",
        practice.slug, outcome.claimed, outcome.sent, outcome.skipped, outcome.deferred, outcome.retrying,
    )
    return outcome


def _coach_ids(objects: dict) -> set[int]:
    """The coaches of the batch's calls and engagements, whose profiles give the video link."""
    ids = set()
    for obj in objects.values():
        ids.add(getattr(obj, "coach_id", None))
        ids.add(getattr(getattr(obj, "engagement", None), "coach_id", None))
    ids.discard(None)
    return ids


def _context(kind, obj, row: Reminder, recipient, zone: str, profiles: dict, base_url: str) -> dict:
    context = {"reader": recipient, "kind": kind.name, "zone": zone, **kind.context(obj, row)}
    context["url"] = base_url + context["url"]
    if "starts_at" in context:
        context["when"] = describe(context["starts_at"], zone)
        profile = profiles.get(context.get("coach_id"))
        context["video_link"] = profile.video_link if profile else ""
    if "due_date" in context:
        context["due_day"] = f"{context['due_date']:%A} {context['due_date'].day} {context['due_date']:%B %Y}"
    if "sent_at" in context:
        context["sent_when"] = describe(context["sent_at"], zone)
    context["due_when"] = describe(row.due_at, zone)
    context["settings_url"] = base_url + reverse("notification_settings")
    return context


def _headers(*, message_id: str, unsubscribe_url: str) -> dict[str, str]:
    return {
        "Message-ID": message_id,
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
        "Auto-Submitted": "auto-generated",  # RFC 3834: no auto-replies
        "X-Auto-Response-Suppress": "All",
    }


def _unsubscribe_url(context: dict, practice, kind: str) -> str:
    token = unsubscribe_token(practice_id=practice.pk, user_id=context["reader"].pk, kind=kind)
    return practice_base_url(practice) + reverse("unsubscribe", args=[token])


def _message(template: str, context: dict, recipient, message_id: str, kind: str, practice) -> EmailMultiAlternatives:
    context = {"practice": practice, **context}
    context["unsubscribe_url"] = _unsubscribe_url(context, practice, kind)
    prefix = f"emails/reminders/{template}"
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    context["subject"] = subject
    message = EmailMultiAlternatives(
        subject, render_to_string(f"{prefix}_message.txt", context).strip(), from_address(), [recipient.email],
        headers=_headers(message_id=message_id, unsubscribe_url=context["unsubscribe_url"]),
    )
    message.attach_alternative(render_to_string(f"{prefix}_message.html", context), "text/html")
    return message


def _digest(entries, recipient, zone: str, base_url: str, practice) -> tuple[list[Reminder], EmailMultiAlternatives]:
    rows = [row for row, _ in entries]
    digest = hashlib.sha256("|".join(sorted(r.key for r in rows)).encode()).hexdigest()[:40]
    items = []
    for row, context in entries:
        # A digest line names its time, never "tomorrow" or "in an hour": the digest may come on the day itself.
        context = {"practice": practice, **context, "in_digest": True}
        items.append({
            "line": " ".join(render_to_string(f"emails/reminders/{KINDS[row.kind].template}_subject.txt", context).split()),
            "url": context["url"],
            "when": context.get("when", ""),
        })
    context = {"reader": recipient, "items": items, "zone": zone, "settings_url": base_url + reverse("notification_settings")}
    message = _message("digest", context, recipient, f"<digest-{digest}@{settings.BASE_DOMAIN}>", "all", practice)
    return rows, message


def _deliver(to_send, now: datetime, outcome: Outcome) -> None:
    if not to_send:
        return
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # noqa: BLE001 - a mail server that is down: every message retries later
        logger.warning("email backend unavailable (%s): %d messages retry later", error, len(to_send))
        for rows, _ in to_send:
            _retry_later(rows, now, f"email backend unavailable: {error}", outcome)
        return
    try:
        for rows, message in to_send:
            try:
                connection.send_messages([message])
            except Exception as error:  # noqa: BLE001 - one refused recipient must not stop the batch
                logger.warning("reminder email to %s failed (%s)", message.to, error)
                _retry_later(rows, now, f"delivery failed: {error}", outcome)
                continue
            for row in rows:
                row.state, row.sent_at, row.reason = Reminder.State.SENT, now, ""
                row.attempts += 1
            outcome.sent += len(rows)
    finally:
        connection.close()


def _retry_later(rows: list[Reminder], now: datetime, reason: str, outcome: Outcome) -> None:
    for row in rows:
        row.attempts += 1
        if row.attempts >= MAX_ATTEMPTS:
            _skip(row, f"gave up after {row.attempts} attempts: {reason}", outcome)
            logger.error("reminder %s given up after %d attempts: %s", row.pk, row.attempts, reason)
        else:
            row.next_attempt_at = now + timedelta(minutes=5 * 2 ** (row.attempts - 1))
            row.reason = reason[:200]
            outcome.retrying += 1


def _finish(rows: list[Reminder], now: datetime) -> None:
    """Save every row's new state in one statement, and chain the next weekly reminder."""
    for row in rows:
        row.updated_at = now
    Reminder.objects.bulk_update(
        rows, ["state", "sent_at", "reason", "attempts", "next_attempt_at", "for_digest", "updated_at"], batch_size=1000
    )
    following = []
    for row in rows:
        kind = KINDS.get(row.kind)
        obj = getattr(row, "_subject_obj", None)
        if kind is None or not kind.recurring or obj is None or row.state == Reminder.State.PENDING:
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
