"""Writing the reminder emails: what a batch's messages share (Stationery, prepared once), each one's
context in its reader's time zone, its headers (a stable Message-ID, one-click unsubscribe, no
auto-replies), the message itself, a reader's morning digest, and the signed unsubscribe tokens its
links carry. dispatch.py decides what to send and hands it over."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
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


class Stationery:
    """What every reminder email of one practice's batch shares, prepared once per batch rather than
    once per message: the practice (its branding), its web address and settings link, the sender,
    the templates, and each reader's unsubscribe link for each kind. Made in the practice's context."""

    def __init__(self, practice) -> None:
        self.practice = practice
        self.base_url = practice_base_url(practice)
        self.settings_url = self.base_url + reverse("notification_settings")
        self.sender = from_address()
        self._templates: dict = {}
        self._unsubscribe_urls: dict[tuple[int, str], str] = {}

    def render(self, name: str, context: dict) -> str:
        if name not in self._templates:
            self._templates[name] = get_template(name)
        return self._templates[name].render(context)

    def unsubscribe_url(self, user_id: int, kind: str) -> str:
        if (user_id, kind) not in self._unsubscribe_urls:
            token = unsubscribe_token(practice_id=self.practice.pk, user_id=user_id, kind=kind)
            self._unsubscribe_urls[user_id, kind] = self.base_url + reverse("unsubscribe", args=[token])
        return self._unsubscribe_urls[user_id, kind]


def reminder_context(kind, obj, row: Reminder, recipient, zone: str, profiles: dict, stationery: Stationery) -> dict:
    context = {"reader": recipient, "kind": kind.name, "zone": zone, **kind.context(obj, row)}
    context["url"] = stationery.base_url + context["url"]
    if "starts_at" in context:
        context["when"] = describe(context["starts_at"], zone)
        profile = profiles.get(context.get("coach_id"))
        context["video_link"] = meeting_link(profile, uid=getattr(obj, "ics_uid", ""))
    if "due_date" in context:
        context["due_day"] = f"{context['due_date']:%A} {context['due_date'].day} {context['due_date']:%B %Y}"
    if "sent_at" in context:
        context["sent_when"] = describe(context["sent_at"], zone)
    context["due_when"] = describe(row.due_at, zone)
    context["settings_url"] = stationery.settings_url
    return context


def _headers(*, message_id: str, unsubscribe_url: str) -> dict[str, str]:
    return {
        "Message-ID": message_id,
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
        "Auto-Submitted": "auto-generated",  # RFC 3834: no auto-replies
        "X-Auto-Response-Suppress": "All",
    }


def reminder_message(
    template: str, context: dict, recipient, message_id: str, kind: str, stationery: Stationery,
) -> EmailMultiAlternatives:
    context = {"practice": stationery.practice, **context}
    context["unsubscribe_url"] = stationery.unsubscribe_url(recipient.pk, kind)
    prefix = f"emails/reminders/{template}"
    subject = " ".join(stationery.render(f"{prefix}_subject.txt", context).split())
    context["subject"] = subject
    message = EmailMultiAlternatives(
        subject, stationery.render(f"{prefix}_message.txt", context).strip(), stationery.sender, [recipient.email],
        headers=_headers(message_id=message_id, unsubscribe_url=context["unsubscribe_url"]),
    )
    message.attach_alternative(stationery.render(f"{prefix}_message.html", context), "text/html")
    return message


def digest_message(
    entries: list[tuple[Reminder, dict]], recipient, zone: str, stationery: Stationery,
) -> EmailMultiAlternatives:
    """A reader's morning digest: one line per reminder, each written as that reminder's subject."""
    rows = [row for row, _ in entries]
    digest = hashlib.sha256("|".join(sorted(r.key for r in rows)).encode()).hexdigest()[:40]
    items = []
    for row, context in entries:
        # A digest line names its time, never "tomorrow" or "in an hour": the digest may come on the day itself.
        context = {"practice": stationery.practice, **context, "in_digest": True}
        items.append({
            "line": " ".join(
                stationery.render(f"emails/reminders/{KINDS[row.kind].template}_subject.txt", context).split()
            ),
            "url": context["url"],
            "when": context.get("when", ""),
        })
    context = {"reader": recipient, "items": items, "zone": zone, "settings_url": stationery.settings_url}
    return reminder_message("digest", context, recipient, f"<digest-{digest}@{settings.BASE_DOMAIN}>", "all", stationery)
