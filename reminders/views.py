"""Pages: a person's notification settings, one-click unsubscribe, and the admin's per-engagement view.

Thin: each view checks who may see it, calls one selector or service, renders.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from coachhub.accounts.models import User
from reminders import selectors, services
from reminders.emails import read_unsubscribe_token
from reminders.forms import NotificationSettingsForm
from reminders.kinds import KINDS, kinds_for_roles
from coachhub.tenancy.forms import form_status, posted
from coachhub.tenancy.models import Role
from coachhub.tenancy.permissions import admin_required
from coachhub.tenancy.timezones import zone_for


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    if request.practice is None or not request.roles:
        raise Http404
    current = services.settings_for(request.user)
    kinds = kinds_for_roles(request.roles)
    offer_digest = Role.COACH in request.roles
    form = NotificationSettingsForm(posted(request), kinds=kinds, offer_digest=offer_digest, initial={
        "enabled_kinds": [name for name in kinds if current.wants(name)], "morning_digest": current.morning_digest,
    })
    if request.method == "POST" and form.is_valid():
        services.update_notification_settings(
            user=request.user, enabled_kinds=form.cleaned_data["enabled_kinds"], offered_kinds=kinds,
            morning_digest=form.cleaned_data.get("morning_digest", False) if offer_digest else current.morning_digest,
        )
        messages.success(request, "Your notification settings are saved.")
        return redirect("notification_settings")
    return render(request, "reminders/settings.html", {"form": form, "has_kinds": bool(kinds)}, status=form_status(form))


def _unsubscribe_target(request: HttpRequest, token: str) -> tuple[User, str]:
    data = read_unsubscribe_token(token)
    if not data or request.practice is None or data.get("p") != request.practice.pk:
        raise Http404
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or (data.get("k") not in KINDS and data.get("k") != services.ALL_KINDS):
        raise Http404
    return user, data["k"]


@csrf_exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no cookie nor token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation button (link scanners must not unsubscribe anyone); POST unsubscribes."""
    user, kind = _unsubscribe_target(request, token)
    label = "all reminders" if kind == services.ALL_KINDS else KINDS[kind].label
    if request.method == "POST":
        services.unsubscribe(user=user, kind=kind)
        return render(request, "reminders/unsubscribed.html", {"label": label})
    return render(request, "reminders/unsubscribe.html", {"label": label, "email": user.email})


@admin_required
def engagements(request: HttpRequest) -> HttpResponse:
    return render(request, "reminders/engagements.html", {"engagements": selectors.engagements_with_reminders()})


@admin_required
def engagement_reminders(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = selectors.access_reminder_list(request.viewer, engagement_id)
    reminders = list(selectors.reminders_of(engagement))
    about = selectors.subjects_of(reminders)
    for reminder in reminders:
        reminder.about, reminder.about_when = about.get(reminder.subject, ("no longer exists", None))
    return render(request, "reminders/engagement.html", {
        "engagement": engagement, "reminders": reminders,
        "paused": selectors.is_paused(engagement), "zone": zone_for(request.user, request.practice),
    })


@admin_required
@require_POST
def pause(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = selectors.access_reminder_list(request.viewer, engagement_id)
    paused = request.POST.get("paused") == "1"
    services.set_engagement_paused(engagement=engagement, actor=request.user, paused=paused)
    messages.success(request, "Reminders are paused for this engagement." if paused else "Reminders are on again for this engagement.")
    return redirect("engagement_reminders", engagement.pk)
