"""Writes to the coach roster: profiles, publishing, availability, the admin's roster actions.

Each service is one transaction and leaves an audit row. Rules that a person can break raise
ValidationError keyed by the field they concern, so a page can show the message next to it.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coachhub.roster import selectors
from coachhub.roster.calendars.models import CalendarConnection
from coachhub.roster.meeting_links import has_meeting_link
from coachhub.roster.models import (
    CoachProfile,
    TimeOff,
    WeeklyHours,
    new_calendar_token,
)
from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.timezones import zone_or_none


def _locked(profile: CoachProfile) -> CoachProfile:
    """The profile re-read under a row lock: concurrent edits of one coach's calendar queue up."""
    return CoachProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)


@transaction.atomic
def profile_for_coach(*, user) -> CoachProfile:
    """The coach's profile here, created (unpublished, in their own zone) by their first change to it;
    pages that only show it use selectors.profile_to_show."""
    profile = selectors.profile_to_show(user)
    if profile.pk is not None:
        return profile
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:
        # Two first visits at once: the other one created it.
        return selectors.profile_of(user)
    audit.record(actor=user, action="coach_profile.created", subject=profile)
    return profile


def _check_still_publishable(profile: CoachProfile) -> None:
    """A published profile may not lose what publishing requires: unpublish first."""
    if not profile.is_published:
        return
    errors = {}
    if not (profile.headline.strip() or profile.bio.strip()):
        errors["headline"] = "A published profile needs a headline or a bio. Unpublish it first to remove both."
    if not has_meeting_link(profile):
        errors["video_link"] = "A published profile needs a video-call link. Unpublish it first to remove it."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_coach_profile(*, profile: CoachProfile, actor, changes: dict) -> CoachProfile:
    """Apply validated changes (profile text, photo, zone, booking rules) and audit them.

    A replaced or removed photo's file is deleted once the change is committed.
    """
    profile = _locked(profile)
    before = {field: getattr(profile, field) for field in changes}
    old_photo = profile.photo.name if "photo" in changes else ""
    if "time_zone" in changes and zone_or_none(changes["time_zone"]) is None:
        raise ValidationError({"time_zone": "Choose a time zone from the list."})
    if changes.get("meeting_link_mode") == "per_meeting" and not require_practice().meeting_link_pattern:
        raise ValidationError({"meeting_link_mode": "Your practice has no pattern for per-meeting links yet: ask a "
                                                    "practice admin to set one, or use your own link."})
    for field, value in changes.items():
        setattr(profile, field, value)
    profile.full_clean(exclude=["user"])
    _check_still_publishable(profile)
    profile.save()
    if "time_zone" in changes and not profile.user.time_zone:
        # A coach who has not chosen a zone for their account sees pages in their working zone.
        profile.user.time_zone = profile.time_zone
        profile.user.save(update_fields=["time_zone"])
    changed = sorted(field for field, value in changes.items() if before[field] != value)
    if changed:
        audit.record(actor=actor, action="coach_profile.updated", subject=profile, changed=changed)
    if old_photo and old_photo != profile.photo.name:
        storage = profile.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    return profile


@transaction.atomic
def publish_coach_profile(*, profile: CoachProfile, actor) -> CoachProfile:
    """Show the coach in the directory. Refused, saying what is missing, until it is complete."""
    profile = _locked(profile)
    if not profile.is_active:
        raise ValidationError("The practice has deactivated your profile, so it cannot be published. Please ask a practice admin.")
    missing = selectors.missing_for_publishing(profile)
    if missing:
        raise ValidationError(f"Before you can publish, add {_and_join(missing)}.")
    if not profile.is_published:
        profile.is_published = True
        profile.save(update_fields=["is_published", "updated_at"])
        audit.record(actor=actor, action="coach_profile.published", subject=profile)
    return profile


@transaction.atomic
def unpublish_coach_profile(*, profile: CoachProfile, actor) -> CoachProfile:
    """Take the coach out of the directory; calls already booked stay booked."""
    profile = _locked(profile)
    if profile.is_published:
        profile.is_published = False
        profile.save(update_fields=["is_published", "updated_at"])
        audit.record(actor=actor, action="coach_profile.unpublished", subject=profile)
    return profile


@transaction.atomic
def deactivate_coach(*, profile: CoachProfile, actor) -> CoachProfile:
    """The practice stops offering this coach: unpublished and not publishable again until
    reactivated. Their bookings and engagements stay; their membership is the People page's."""
    profile = _locked(profile)
    if profile.is_active:
        profile.is_active, profile.is_published = False, False
        profile.save(update_fields=["is_active", "is_published", "updated_at"])
        audit.record(actor=actor, action="coach_profile.deactivated", subject=profile)
    return profile


@transaction.atomic
def forget_erased_coach(*, user_id: int, now: datetime) -> None:
    """What the roster keeps of a person erased from the practice (records/erasure.py announces
    PersonErased): their profile's texts and photo (unpublished and deactivated), their time-off notes,
    their own calendars' connections with the sealed credentials, the calendars found and every busy
    block read from them (so nothing syncs or writes to their calendar again), and their feed link,
    replaced so the old one leads nowhere. Their bookings stay: the practice's record of meetings."""
    for profile in CoachProfile.objects.filter(user_id=user_id):
        if profile.photo:
            profile.photo.delete(save=False)
        CoachProfile.objects.filter(pk=profile.pk).update(
            photo="", headline="", bio="", approach="", specialisms=[], accreditations=[], languages=[],
            video_link="", is_published=False, is_active=False, calendar_token=new_calendar_token(), updated_at=now,
        )
    TimeOff.objects.filter(coach__user_id=user_id).update(note="", updated_at=now)
    CalendarConnection.objects.filter(coach__user_id=user_id).delete()


@transaction.atomic
def reactivate_coach(*, profile: CoachProfile, actor) -> CoachProfile:
    """Let the coach publish again (they stay unpublished until they do)."""
    profile = _locked(profile)
    if not selectors.is_active_coach(profile.user_id):
        raise ValidationError(
            f"{profile.user} no longer has the coach role here. Give it back on the People page first."
        )
    if not profile.is_active:
        profile.is_active = True
        profile.save(update_fields=["is_active", "updated_at"])
        audit.record(actor=actor, action="coach_profile.reactivated", subject=profile)
    return profile


@transaction.atomic
def add_weekly_hours(*, profile: CoachProfile, weekday: int, starts_at: time, ends_at: time, actor) -> WeeklyHours:
    """A new weekly window; it must end after it starts and not overlap another that day."""
    profile = _locked(profile)
    if weekday not in WeeklyHours.Weekday.values:
        raise ValidationError({"weekday": "Choose a day of the week."})
    if starts_at >= ends_at:
        raise ValidationError({"ends_at": "The window must end after it starts."})
    clash = profile.weekly_hours.filter(weekday=weekday, starts_at__lt=ends_at, ends_at__gt=starts_at).first()
    if clash is not None:
        raise ValidationError({"starts_at": f"This overlaps your hours on {clash}. Change or remove those first."})
    window = WeeklyHours.objects.create(coach=profile, weekday=weekday, starts_at=starts_at, ends_at=ends_at)
    audit.record(actor=actor, action="coach_hours.added", subject=profile, window=str(window))
    return window


@transaction.atomic
def remove_weekly_hours(*, profile: CoachProfile, window_id: int, actor) -> None:
    """Remove one of the coach's windows. A published profile keeps at least one."""
    profile = _locked(profile)
    window = profile.weekly_hours.filter(pk=window_id).first()
    if window is None:
        return  # already gone (a double click): nothing to do
    if profile.is_published and profile.weekly_hours.count() == 1:
        raise ValidationError("A published profile needs at least one window of weekly hours. Unpublish first to remove the last one.")
    window.delete()
    audit.record(actor=actor, action="coach_hours.removed", subject=profile, window=str(window))


@transaction.atomic
def add_time_off(*, profile: CoachProfile, first_day: date, last_day: date, note: str = "", actor) -> TimeOff:
    """Whole days off in the coach's zone, from today onward."""
    profile = _locked(profile)
    errors = {}
    if first_day < selectors.coach_today(profile):
        errors["first_day"] = "Dates off cannot start in the past."
    if last_day < first_day:
        errors["last_day"] = "The last day cannot be before the first day."
    if errors:
        raise ValidationError(errors)
    period = TimeOff.objects.create(coach=profile, first_day=first_day, last_day=last_day, note=note.strip())
    audit.record(actor=actor, action="coach_time_off.added", subject=profile, period=str(period))
    return period


@transaction.atomic
def remove_time_off(*, profile: CoachProfile, period_id: int, actor) -> None:
    profile = _locked(profile)
    period = profile.time_off.filter(pk=period_id).first()
    if period is None:
        return
    period.delete()
    audit.record(actor=actor, action="coach_time_off.removed", subject=profile, period=str(period))


@transaction.atomic
def reset_calendar_token(*, profile: CoachProfile, actor) -> CoachProfile:
    """A new secret feed link; the old one stops working at once."""
    profile = _locked(profile)
    profile.calendar_token = new_calendar_token()
    profile.save(update_fields=["calendar_token", "updated_at"])
    audit.record(actor=actor, action="coach_calendar.reset", subject=profile)
    return profile


def _and_join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
