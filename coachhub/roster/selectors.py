"""Reads about the coach roster: profiles, the directory, availability, the admin's roster, a coach's
calendar (free slots: coachhub/roster/slots.py).

Every read goes through the practice-scoped managers; "not yours" and "does not exist" both
come back as None, so views answer 404 alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from coachhub.roster import registry
from coachhub.roster.meeting_links import has_meeting_link, meeting_link
from coachhub.roster.models import Booking, CoachProfile, TimeOff, WeeklyHours
from coachhub.roster.slots import free_slots
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.models import Membership, Role

# How far back the calendar feed reaches, so last month's meetings stay in the coach's calendar.
FEED_PAST = timedelta(days=30)
# The availability page previews this many free slots, looking this far ahead.
PREVIEW_SLOTS = 8
PREVIEW_DAYS = 28


def bookable_coaches() -> QuerySet[CoachProfile]:
    """The coach directory: published, active coaches whose membership as coach is active."""
    return (
        CoachProfile.objects.filter(
            is_published=True, is_active=True,
            user__memberships__role=Role.COACH, user__memberships__is_active=True,
        )
        .select_related("user")
        .distinct()
    )


def profile_of(user) -> CoachProfile | None:
    """The user's own coach profile in this practice, if they have one yet."""
    return CoachProfile.objects.filter(user=user).select_related("user").first()


def profile_to_show(user) -> CoachProfile:
    """The coach's own profile for their pages: the saved one, or before their first save an
    unsaved one in their own zone (a page that only shows it never creates it)."""
    return profile_of(user) or CoachProfile(user=user, time_zone=user.time_zone or require_practice().time_zone)


def publishing_checklist(profile: CoachProfile) -> list[dict]:
    """What publishing needs, each item with whether the profile has it yet."""
    has_hours = profile.pk is not None and profile.weekly_hours.exists()
    return [
        {"key": "about", "label": "a headline or a bio", "done": bool(profile.headline.strip() or profile.bio.strip())},
        {"key": "hours", "label": "at least one window of weekly hours", "done": has_hours},
        {"key": "video_link", "label": "a video-call link", "done": has_meeting_link(profile)},
    ]


def missing_for_publishing(profile: CoachProfile) -> list[str]:
    """What the profile still lacks before people may book it, in words (empty: ready)."""
    return [item["label"] for item in publishing_checklist(profile) if not item["done"]]


def is_active_coach(user_id: int) -> bool:
    return Membership.objects.filter(user_id=user_id, role=Role.COACH, is_active=True).exists()


def profile_for_photo(profile_id: int, *, viewer, roles: frozenset[str]) -> CoachProfile | None:
    """The profile whose photo `viewer` may see: anyone sees a bookable coach's photo; the coach
    sees their own and practice admins see every coach's."""
    profile = bookable_coaches().filter(pk=profile_id).first()
    if profile is not None or not viewer.is_authenticated:
        return profile
    profiles = CoachProfile.objects.filter(pk=profile_id)
    if Role.ADMIN not in roles:
        profiles = profiles.filter(user=viewer)
    return profiles.first()


def roster_profile(profile_id: int) -> CoachProfile | None:
    """A coach profile an admin acts on from the roster."""
    return CoachProfile.objects.filter(pk=profile_id).select_related("user").first()


def profile_for_calendar_token(token: str) -> CoachProfile | None:
    """The coach whose secret feed link this is, while they are a coach here."""
    profile = CoachProfile.objects.filter(calendar_token=token).select_related("user").first()
    if profile is None or not is_active_coach(profile.user_id):
        return None
    return profile


def weekly_schedule(profile: CoachProfile) -> list[dict]:
    """Every weekday, Monday first, with its windows (possibly none), in the coach's zone."""
    windows: dict[int, list[WeeklyHours]] = {}
    for window in profile.weekly_hours.all() if profile.pk else ():
        windows.setdefault(window.weekday, []).append(window)
    return [
        {"weekday": value, "label": label, "windows": windows.get(value, [])}
        for value, label in WeeklyHours.Weekday.choices
    ]


def coach_today(profile: CoachProfile, now: datetime | None = None) -> date:
    """Today's date where the coach lives (dates off are whole days in the coach's zone)."""
    return (now or timezone.now()).astimezone(ZoneInfo(profile.time_zone)).date()


def upcoming_time_off(profile: CoachProfile) -> QuerySet[TimeOff]:
    if profile.pk is None:
        return TimeOff.objects.none()
    return profile.time_off.filter(last_day__gte=coach_today(profile))


def slot_preview(profile: CoachProfile, now: datetime | None = None) -> list[datetime]:
    """The next few chemistry-call times people could book, in the coach's own zone."""
    if profile.pk is None:
        return []  # no hours yet
    today = coach_today(profile, now)
    slots = free_slots(
        profile, first_day=today, last_day=today + timedelta(days=PREVIEW_DAYS),
        zone=ZoneInfo(profile.time_zone), now=now,
    )
    return slots[:PREVIEW_SLOTS]


def calendar_bookings(profile: CoachProfile, now: datetime | None = None) -> QuerySet[Booking]:
    """The coach's active bookings from a month ago onward, with what the apps that own them read
    to describe them (coachhub/roster/registry.py): one query."""
    since = (now or timezone.now()) - FEED_PAST
    return Booking.objects.filter(coach_id=profile.user_id, is_active=True, ends_at__gte=since).select_related(
        *registry.booking_relations()
    )


def feed_events(profile: CoachProfile, *, practice_name: str, now: datetime | None = None) -> list[dict]:
    """The coach's bookings as events for coachhub.roster.calendar.feed(): one query.

    The app that owns a booking describes it (a chemistry call or a coaching session keeps the
    UID and SEQUENCE of the invites emailed about it, so a calendar holding both the invite and
    the feed shows one event, updated on reschedule); a booking nobody claims is its kind alone.
    The leader's objectives stay out: a feed link is handed to calendar providers.
    """
    coach = profile.user
    events = []
    for booking in calendar_bookings(profile, now):
        described = registry.describe_booking(booking) or registry.BookingDescription(
            uid=f"booking-{booking.pk}@{settings.BASE_DOMAIN}", sequence=0, summary=booking.get_kind_display(),
        )
        description = f"{described.summary}, booked through {practice_name}."
        link = meeting_link(profile, uid=described.uid)
        if link:
            description += f"\nJoin: {link}"
        events.append({
            "uid": described.uid, "sequence": described.sequence, "starts_at": booking.starts_at,
            "ends_at": booking.ends_at, "summary": described.summary, "description": description, "location": link,
            "organiser": (str(coach), coach.email), "attendees": list(described.attendees),
        })
    return events


class CoachStatus:
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class RosterEntry:
    """One coach as the practice admin sees them on the roster."""

    user: object
    profile: CoachProfile | None
    is_coach: bool  # holds an active coach membership here
    load: int

    @property
    def status(self) -> str:
        if not self.is_coach or (self.profile is not None and not self.profile.is_active):
            return CoachStatus.DEACTIVATED
        if self.profile is not None and self.profile.is_published:
            return CoachStatus.PUBLISHED
        return CoachStatus.UNPUBLISHED

    @property
    def capacity(self) -> int | None:
        return self.profile.capacity if self.profile else None

    @property
    def can_unpublish(self) -> bool:
        return self.status == CoachStatus.PUBLISHED

    @property
    def can_deactivate(self) -> bool:
        return self.is_coach and self.profile is not None and self.profile.is_active

    @property
    def can_reactivate(self) -> bool:
        return self.is_coach and self.profile is not None and not self.profile.is_active


def coach_roster() -> list[RosterEntry]:
    """Every coach: active coach members (with or without a profile yet) and people whose
    profile outlived their coach role. Three queries, however many coaches."""
    coaches = {
        membership.user_id: membership.user
        for membership in Membership.objects.filter(role=Role.COACH, is_active=True).select_related("user")
    }
    profiles = {profile.user_id: profile for profile in CoachProfile.objects.select_related("user")}
    users = {**{user_id: p.user for user_id, p in profiles.items()}, **coaches}
    loads = registry.coach_loads(list(users))  # as the journey counts them, registered at ready time
    entries = [
        RosterEntry(user=user, profile=profiles.get(user_id), is_coach=user_id in coaches, load=loads.get(user_id, 0))
        for user_id, user in users.items()
    ]
    return sorted(entries, key=lambda e: (e.status == CoachStatus.DEACTIVATED, str(e.user).casefold()))
