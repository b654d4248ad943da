"""Roster pages: a coach's profile and availability, their calendar feed, the admin's roster.

Thin: role → form → service or selector → template. The availability page's sections also
answer htmx requests with just the section that changed (and the refreshed slot preview);
without JavaScript the same forms post and redirect back.
"""

from __future__ import annotations

from copy import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.dateformat import format as date_format
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from coachhub.roster import selectors, services
from coachhub.roster.calendars import selectors as calendar_selectors
from coachhub.roster.calendar import feed
from coachhub.roster.forms import (
    BookingRulesForm,
    CoachProfileForm,
    TimeOffForm,
    WeeklyHoursForm,
)
from coachhub.roster.models import CoachProfile
from coachhub.tenancy.forms import add_service_errors, form_status, posted, posted_files
from coachhub.tenancy.models import Role
from coachhub.tenancy.permissions import admin_required, role_required

coach_required = role_required(Role.COACH)

PHOTO_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}



# --- A coach's own profile -----------------------------------------------------------------


@coach_required
@require_http_methods(["GET", "POST"])
def my_profile(request: HttpRequest) -> HttpResponse:
    # Saved (and so created) by the first POST, never by showing the page.
    profile = services.profile_for_coach(user=request.user) if request.method == "POST" else selectors.profile_to_show(request.user)
    # A copy: validation writes submitted values onto the instance, and the page must keep
    # showing what is saved (photo, publishing state) while the form shows the errors.
    form = CoachProfileForm(posted(request), posted_files(request), instance=copy(profile))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_coach_profile(profile=profile, actor=request.user, changes=form.changes())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("roster_my_profile")
    form.note_unsaved_photo()
    return render(
        request, "roster/my_profile.html",
        {"profile": profile, "form": form, "checklist": selectors.publishing_checklist(profile)},
        status=form_status(form),
    )


@coach_required
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    profile = services.profile_for_coach(user=request.user)
    try:
        services.publish_coach_profile(profile=profile, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Your profile is published: leaders can find you in the directory and book a chemistry call.")
    return redirect("roster_my_profile")


@coach_required
@require_POST
def unpublish(request: HttpRequest) -> HttpResponse:
    profile = services.profile_for_coach(user=request.user)
    services.unpublish_coach_profile(profile=profile, actor=request.user)
    messages.success(request, "Your profile is unpublished: nobody new can book you. Calls already booked stay booked.")
    return redirect("roster_my_profile")


@require_safe
def coach_photo(request: HttpRequest, profile_id: int) -> FileResponse:
    """Public for coaches people can book; otherwise only for the coach and practice admins."""
    profile = selectors.profile_for_photo(profile_id, viewer=request.user, roles=request.roles)
    if profile is None or not profile.photo:
        raise Http404
    extension = profile.photo.name.rsplit(".", 1)[-1].lower()
    try:
        handle = profile.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=PHOTO_TYPES.get(extension, "application/octet-stream"))
    if profile.is_bookable:
        patch_cache_control(response, public=True, max_age=300)
    else:
        patch_cache_control(response, private=True, max_age=0)
    return response


# --- Availability --------------------------------------------------------------------------

SECTION_TEMPLATES = {
    "weekly-hours": "roster/includes/weekly_hours.html",
    "time-off": "roster/includes/time_off.html",
    "booking-rules": "roster/includes/booking_rules.html",
}


def _availability_page(
    request: HttpRequest, profile: CoachProfile, *, section: str = "", notice: str = "", error: str = "",
    hours_form: WeeklyHoursForm | None = None, time_off_form: TimeOffForm | None = None,
    rules_form: BookingRulesForm | None = None,
) -> HttpResponse:
    """The availability page, or for htmx just `section` and the slot preview."""
    # A profile not saved yet has no link: its token would change on every visit.
    feed_url = request.build_absolute_uri(reverse("coach_calendar_feed", args=[profile.calendar_token])) if profile.pk else ""
    context = {
        "profile": profile,
        "schedule": selectors.weekly_schedule(profile),
        "time_off": selectors.upcoming_time_off(profile),
        "preview": selectors.slot_preview(profile),
        "hours_form": hours_form or WeeklyHoursForm(initial={"starts_at": "09:00", "ends_at": "17:00"}),
        "time_off_form": time_off_form or TimeOffForm(),
        "rules_form": rules_form or BookingRulesForm(instance=copy(profile)),
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
        "section": section, "notice": notice, "error": error,
    }
    status = 422 if error else form_status(hours_form, time_off_form, rules_form)
    if request.htmx and section:
        context["section_template"] = SECTION_TEMPLATES[section]
        return render(request, "roster/includes/availability_update.html", context, status=status)
    return render(request, "roster/availability.html", context, status=status)


def _section_done(request: HttpRequest, profile: CoachProfile, section: str, notice: str) -> HttpResponse:
    """A change went through: htmx gets the fresh section; a plain form goes back to the page."""
    if request.htmx:
        return _availability_page(request, profile, section=section, notice=notice)
    messages.success(request, notice)
    return redirect(f"{reverse('roster_availability')}#{section}")


@coach_required
@require_safe
def availability(request: HttpRequest) -> HttpResponse:
    return _availability_page(request, selectors.profile_to_show(request.user))


@coach_required
@require_POST
def add_hours(request: HttpRequest) -> HttpResponse:
    profile = services.profile_for_coach(user=request.user)
    form = WeeklyHoursForm(request.POST)
    if form.is_valid():
        try:
            window = services.add_weekly_hours(profile=profile, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _section_done(request, profile, "weekly-hours", f"Added {window}.")
    return _availability_page(request, profile, section="weekly-hours", hours_form=form)


@coach_required
@require_POST
def remove_hours(request: HttpRequest, window_id: int) -> HttpResponse:
    profile = services.profile_for_coach(user=request.user)
    window = profile.weekly_hours.filter(pk=window_id).first()
    if window is None:
        raise Http404
    try:
        services.remove_weekly_hours(profile=profile, window_id=window.pk, actor=request.user)
    except ValidationError as error:
        if not request.htmx:
            messages.error(request, " ".join(error.messages))
            return redirect(f"{reverse('roster_availability')}#weekly-hours")
        return _availability_page(request, profile, section="weekly-hours", error=" ".join(error.messages))
    return _section_done(request, profile, "weekly-hours", f"Removed {window}.")


@coach_required
@require_POST
def add_time_off(request: HttpRequest) -> HttpResponse:
    profile = services.profile_for_coach(user=request.user)
    form = TimeOffForm(request.POST)
    if form.is_valid():
        try:
            period = services.add_time_off(profile=profile, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _section_done(request, profile, "time-off", f"Added dates off: {_days(period)}.")
    return _availability_page(request, profile, section="time-off", time_off_form=form)


@coach_required
@require_POST
def remove_time_off(request: HttpRequest, period_id: int) -> HttpResponse:
    profile = services.profile_for_coach(user=request.user)
    period = profile.time_off.filter(pk=period_id).first()
    if period is None:
        raise Http404
    services.remove_time_off(profile=profile, period_id=period.pk, actor=request.user)
    return _section_done(request, profile, "time-off", f"Removed dates off: {_days(period)}.")


@coach_required
@require_POST
def booking_rules(request: HttpRequest) -> HttpResponse:
    profile = services.profile_for_coach(user=request.user)
    form = BookingRulesForm(request.POST, instance=copy(profile))
    if form.is_valid():
        try:
            profile = services.update_coach_profile(profile=profile, actor=request.user, changes=form.changes())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _section_done(request, profile, "booking-rules", "Booking rules saved.")
    return _availability_page(request, profile, section="booking-rules", rules_form=form)


@coach_required
@require_POST
def reset_calendar(request: HttpRequest) -> HttpResponse:
    profile = services.profile_for_coach(user=request.user)
    services.reset_calendar_token(profile=profile, actor=request.user)
    messages.success(request, "You have a new calendar link. The old one no longer works: subscribe again with this one.")
    return redirect(f"{reverse('roster_availability')}#calendar-feed")


def _days(period) -> str:
    first, last = date_format(period.first_day, "j M Y"), date_format(period.last_day, "j M Y")
    return first if first == last else f"{first} to {last}"


# --- The personal calendar feed --------------------------------------------------------------


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A coach's bookings as a subscribable calendar. The secret link is the only key."""
    profile = selectors.profile_for_calendar_token(token)
    if profile is None:
        raise Http404
    events = selectors.feed_events(profile, practice_name=request.practice.name)
    body = feed(f"{request.practice.name} · {profile.user}", events)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, max_age=300)
    return response


# --- The practice admin's roster -----------------------------------------------------------

ROSTER_ACTIONS = {
    "unpublish": (services.unpublish_coach_profile, "{} is unpublished. Calls already booked stay booked."),
    "deactivate": (services.deactivate_coach, "{} is deactivated: unpublished, history kept. Their account is managed on the People page."),
    "reactivate": (services.reactivate_coach, "{} is reactivated and can publish their profile again."),
}


@admin_required
@require_safe
def roster(request: HttpRequest) -> HttpResponse:
    entries = selectors.coach_roster()
    # Who has connected their own calendars and when they last synced: never what is in them.
    summaries = calendar_selectors.calendar_summaries()
    rows = [(entry, summaries.get(entry.profile.pk) if entry.profile else None) for entry in entries]
    return render(request, "roster/roster.html", {"entries": entries, "rows": rows})


@admin_required
@require_POST
def roster_action(request: HttpRequest, profile_id: int, action: str) -> HttpResponse:
    profile = selectors.roster_profile(profile_id)
    if profile is None:
        raise Http404
    service, done = ROSTER_ACTIONS[action]
    try:
        service(profile=profile, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(profile.user))
    return redirect("roster")
