"""Journey pages: the coach directory, booking a chemistry call, and following it up."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from coachhub.roster.models import CoachProfile
from coachhub.roster.selectors import bookable_coaches
from coachhub.roster.slots import free_slots
from coachhub.tenancy.forms import form_status, posted
from coachhub.tenancy.models import Role
from coachhub.tenancy.permissions import admin_required, role_required
from coachhub.tenancy.timezones import zone_for
from engagements import selectors, services
from engagements.access import (
    ADMIN,
    COACH,
    COACHEE,
    access_chemistry_call,
    open_enquiry,
    visible_chemistry_calls,
)
from engagements.forms import (
    ChemistryCallForm,
    OutcomeForm,
    PreferenceForm,
    RescheduleForm,
    SlotWeekForm,
    week_days,
)
from engagements.models import ChemistryCall


def _refused(form, error: services.BookingRefused) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def directory(request: HttpRequest) -> HttpResponse:
    """The practice's coaches, public; filter by specialism and language."""
    coaches = list(bookable_coaches())
    specialisms = sorted({s for coach in coaches for s in coach.specialisms}, key=str.lower)
    languages = sorted({lang for coach in coaches for lang in coach.languages}, key=str.lower)
    chosen_specialism, chosen_language = request.GET.get("specialism", ""), request.GET.get("language", "")
    if chosen_specialism:
        coaches = [c for c in coaches if chosen_specialism.lower() in (s.lower() for s in c.specialisms)]
    if chosen_language:
        coaches = [c for c in coaches if chosen_language.lower() in (lang.lower() for lang in c.languages)]
    return render(request, "engagements/directory.html", {
        "coaches": coaches, "specialisms": specialisms, "languages": languages,
        "chosen_specialism": chosen_specialism, "chosen_language": chosen_language,
    })


def slot_week(
    profile: CoachProfile, request: HttpRequest, *, minutes: int | None = None, default_zone: str | None = None
) -> dict:
    """One week of a coach's free start times (chemistry calls, or meetings `minutes` long),
    grouped by day, in the zone the visitor chose (else `default_zone`, else the viewer's): the
    context of the slot picker (engagements/_slot_picker.html)."""
    week_form = SlotWeekForm(request.GET or None)
    zone_name = week_form.zone_name(
        default_zone or zone_for(request.user if request.user.is_authenticated else None, request.practice)
    )
    zone = ZoneInfo(zone_name)
    today = timezone.now().astimezone(zone).date()
    first, last = week_days(week_form.week_start(today))
    days: dict = {}
    for slot in free_slots(profile, first_day=first, last_day=last, zone=zone, minutes=minutes):
        days.setdefault(slot.date(), []).append(slot)
    horizon_end = today + timedelta(days=profile.horizon_days)
    return {
        "zone_name": zone_name, "days": sorted(days.items()), "week_first": first, "week_last": last,
        "previous_week": first - timedelta(days=7) if first > today else None,
        "next_week": last + timedelta(days=1) if last < horizon_end else None,
        "zone_select": week_form.zone_select(zone_name),
    }


@require_http_methods(["GET", "POST"])
def coach_profile(request: HttpRequest, profile_id: int) -> HttpResponse:
    """A coach's profile, with the booking form: pick a free time, say what you want to work on."""
    profile = get_object_or_404(bookable_coaches(), pk=profile_id)
    known = {"name": request.user.full_name, "email": request.user.email} if request.user.is_authenticated else {}
    form = ChemistryCallForm(posted(request), initial=known)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            call, created = services.book_chemistry_call(
                profile=profile, starts_at=data["start"], name=data["name"], email=data["email"],
                objectives=data["objectives"], hopes=data["hopes"], time_zone=data["tz"],
                base_url=request.build_absolute_uri("/"),
            )
        except services.BookingRefused as error:
            _refused(form, error)
        else:
            services.confirm_leader_email(request, call.engagement.coachee, created)
            request.session["booked_call"] = call.pk
            return redirect("chemistry_call_booked")
    context = {"profile": profile, "form": form, **slot_week(profile, request)}
    return render(request, "engagements/coach_profile.html", context, status=form_status(form))


def chemistry_call_booked(request: HttpRequest) -> HttpResponse:
    """The confirmation page after booking (the call is remembered in the session only)."""
    call = ChemistryCall.objects.select_related("booking", "coach", "engagement__coachee").filter(
        pk=request.session.get("booked_call", 0)
    ).first()
    if call is None:
        return redirect("directory")
    zone = zone_for(call.engagement.coachee)
    return render(request, "engagements/booked.html", {"call": call, "zone_name": zone})


@require_http_methods(["GET", "POST"])
def manage_chemistry_call(request: HttpRequest, token: str) -> HttpResponse:
    """Reschedule or cancel by the emailed link, without signing in."""
    call = services.call_for_manage_token(token)
    if call is None:
        raise Http404("This link is not valid.")
    return _manage(request, call, actor=call.engagement.coachee)


@login_required
@require_http_methods(["GET", "POST"])
def my_chemistry_call(request: HttpRequest, call_id: int) -> HttpResponse:
    """The same, for a signed-in leader, from their home page."""
    call = access_chemistry_call(request.viewer, call_id, acting_as=COACHEE)
    return _manage(request, call, actor=request.user)


def _manage(request: HttpRequest, call: ChemistryCall, *, actor) -> HttpResponse:
    profile = CoachProfile.objects.get(user_id=call.coach_id)
    form = RescheduleForm(posted(request))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                services.cancel_chemistry_call(call=call, actor=actor, base_url=request.build_absolute_uri("/"))
                messages.success(request, "Your chemistry call is cancelled. The coach has been told.")
                return redirect(request.path)
            if form.is_valid():
                services.reschedule_chemistry_call(
                    call=call, starts_at=form.cleaned_data["start"], actor=actor, base_url=request.build_absolute_uri("/")
                )
                messages.success(request, "Your chemistry call has moved. A new invitation is on its way.")
                # The emailed link has been replaced by a fresh one.
                return redirect("chemistry_call_moved") if not request.user.is_authenticated else redirect(request.path)
        except services.BookingRefused as error:
            _refused(form, error)
        call.refresh_from_db()
    # The leader's own zone (as in their emails), unless they pick another to see times in.
    zone = zone_for(call.engagement.coachee)
    context = {"call": call, "profile": profile, "form": form, **slot_week(profile, request, default_zone=zone)}
    return render(request, "engagements/manage_call.html", context, status=form_status(form))


def chemistry_call_moved(request: HttpRequest) -> HttpResponse:
    return render(request, "engagements/moved.html")


@role_required(Role.COACH)
@require_http_methods(["GET", "POST"])
def record_outcome(request: HttpRequest, call_id: int) -> HttpResponse:
    call = access_chemistry_call(request.viewer, call_id, acting_as=COACH)
    form = OutcomeForm(posted(request), initial={"outcome": call.coach_outcome, "notes": call.coach_notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_chemistry_outcome(
                call=call, coach=request.user, outcome=form.cleaned_data["outcome"], notes=form.cleaned_data["notes"]
            )
        except services.BookingRefused as error:
            _refused(form, error)
        else:
            messages.success(request, "Thank you: your answer is recorded.")
            return redirect("home")
    return render(request, "engagements/outcome.html", {"call": call, "form": form}, status=form_status(form))


@role_required(Role.COACHEE)
@require_http_methods(["GET", "POST"])
def choose_coach(request: HttpRequest) -> HttpResponse:
    """The leader's preference among the coaches they have met."""
    engagement = open_enquiry(request.viewer)
    if engagement is None:
        raise Http404
    met = selectors.coaches_met(engagement)
    form = PreferenceForm(posted(request), coaches=met, initial={"coach": engagement.preferred_coach_id})
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.record_preference(engagement=engagement, coachee=request.user, coach_id=form.cleaned_data["coach"])
        except services.BookingRefused as error:
            _refused(form, error)
        else:
            if engagement.stage == engagement.Stage.CONTRACTING:
                messages.success(request, f"It's a match: you and {engagement.coach} will work together.")
            else:
                messages.success(request, "Thank you: your choice is recorded. We'll let you know as soon as the coach confirms.")
            return redirect("home")
    return render(
        request, "engagements/choose_coach.html", {"engagement": engagement, "form": form, "met": met},
        status=form_status(form),
    )


@admin_required
def practice_chemistry_calls(request: HttpRequest) -> HttpResponse:
    calls = visible_chemistry_calls(request.viewer).order_by("-booking__starts_at")
    return render(request, "engagements/admin_calls.html", {"calls": calls})


@admin_required
@require_http_methods(["GET", "POST"])
def reassign_chemistry_call(request: HttpRequest, call_id: int) -> HttpResponse:
    call = access_chemistry_call(request.viewer, call_id, acting_as=ADMIN)
    if call.status != ChemistryCall.Status.BOOKED:
        raise Http404
    coaches = list(bookable_coaches().exclude(user_id=call.coach_id))
    chosen = next((c for c in coaches if str(c.pk) == request.GET.get("coach", request.POST.get("coach", ""))), None)
    form = RescheduleForm(posted(request))
    if request.method == "POST" and chosen and form.is_valid():
        try:
            services.reassign_chemistry_call(
                call=call, profile=chosen, starts_at=form.cleaned_data["start"], actor=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except services.BookingRefused as error:
            _refused(form, error)
        else:
            messages.success(request, f"The call is now with {chosen}. Everyone has been told.")
            return redirect("practice_chemistry_calls")
    context = {"call": call, "coaches": coaches, "chosen": chosen, "form": form}
    if chosen:
        context |= {"profile": chosen, **slot_week(chosen, request)}
    return render(request, "engagements/reassign.html", context, status=form_status(form))
