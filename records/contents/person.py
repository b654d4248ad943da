"""person.json: the account, roles, notification settings and sign-ins."""

from __future__ import annotations

from datetime import datetime, timezone as dt_timezone

from coachhub.tenancy.context import require_practice
from coachhub.tenancy.models import AuditEntry, Membership
from records.contents.base import SIGNED_IN, ExportFile, PersonData, iso
from reminders.models import NotificationSettings


def person_file(data: PersonData) -> ExportFile:
    user = data.user
    memberships = Membership.objects.filter(user=user).select_related("client_organisation").order_by("created_at")
    settings = NotificationSettings.objects.filter(user=user).first()
    sign_ins = AuditEntry.objects.filter(action=SIGNED_IN, actor=user).order_by("created_at")
    return ExportFile(
        name="person.json",
        about="Your account as this practice knows it, your roles here, notification settings and sign-ins.",
        fields={
            "practice": "The practice this export is from.",
            "generated_at": "When this file was made (UTC).",
            "account": "email, full_name, time_zone (empty: the practice's), date_joined, last_login.",
            "memberships": "One per role: role, active, client_organisation, since, ended_at.",
            "notification_settings": "disabled_kinds (reminder kinds you turned off), morning_digest; null: defaults.",
            "sign_ins": "Sign-ins the practice keeps (90 days): at, and ip_address (where from).",
        },
        data={
            "practice": require_practice().name,
            "generated_at": iso(datetime.now(dt_timezone.utc)),
            "account": {
                "email": user.email, "full_name": user.full_name, "time_zone": user.time_zone,
                "date_joined": iso(user.date_joined), "last_login": iso(user.last_login),
            },
            "memberships": [
                {
                    "role": m.role, "active": m.is_active,
                    "client_organisation": m.client_organisation.name if m.client_organisation else None,
                    "since": iso(m.created_at), "ended_at": iso(m.deactivated_at),
                }
                for m in memberships
            ],
            "notification_settings": {
                "disabled_kinds": list(settings.disabled_kinds), "morning_digest": settings.morning_digest,
            } if settings else None,
            "sign_ins": [{"at": iso(entry.created_at), "ip_address": entry.ip_address} for entry in sign_ins],
        },
    )
