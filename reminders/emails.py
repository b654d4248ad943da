"""Writing the reminder emails: each one's context in its reader's time zone, its headers (a stable
Message-ID, one-click unsubscribe, no auto-replies), the message itself, a reader's morning
digest, and the signed unsubscribe tokens its links carry. dispatch.py decides what to send and
hands it over."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from coachhub.roster.meeting_links import meeting_link
from coachhub.tenancy.mail import from_address
from coachhub.tenancy.signed import read_signed
from coachhub.tenancy.timezones import describe
from reminders.kinds import KINDS
from reminders.models import Reminder

UNSUBSCRIBE_SALT = "reminders.unsubscribe"


def practice_base_url(practice) -> str:
    """The practice's address on the web server, wherever the email is built (worker, beat, web)."""
    port = f":{settings.WEB_PORT}" if settings.DEBUG and settings.WEB_PORT not in (80, 443) else ""
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{practice.host}{port}"


def unsubscribe_token(*, practice_id: int, user_id: int, kind: str) -> str:
    return signing.dumps({"p": practice_id, "u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> dict | None:
    return read_signed(token, salt=UNSUBSCRIBE_SALT, shape={"p": int, "u": int, "k": str})


def reminder_context(kind, obj, row: Reminder, recipient, zone: str, profiles: dict, base_url: str) -> dict:
    context = {"reader": recipient, "kind": kind.name, "zone": zone, **kind.context(obj, row)}
    context["url"] = base_url + context["url"]
    if "starts_at" in context:
        context["when"] = describe(context["starts_at"], zone)
        profile = profiles.get(context.get("coach_id"))
        context["video_link"] = meeting_link(profile, uid=getattr(obj, "ics_uid", ""))
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


def reminder_message(template: str, context: dict, recipient, message_id: str, kind: str, practice) -> EmailMultiAlternatives:
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


def digest_message(entries: list[tuple[Reminder, dict]], recipient, zone: str, base_url: str, practice) -> EmailMultiAlternatives:
    """A reader's morning digest: one line per reminder, each written as that reminder's subject."""
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
    return reminder_message("digest", context, recipient, f"<digest-{digest}@{settings.BASE_DOMAIN}>", "all", practice)
