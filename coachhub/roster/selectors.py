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
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

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


# A coach's load, written once: the engagements they carry are those matched and not yet completed
# (the journey's stages, spelt here because the roster sits below the journey). The roster, the booking
# service's capacity check and the practice dashboard all count these.
CARRIED_STAGES = ("contracting", "active")


def coach_load(coach_ids: list[int]) -> dict[int, int]:
    """How many coachees each coach carries (engagements in CARRIED_STAGES): one query.

    Counted through the engagements' foreign key to their coach, so the roster needs none of the
    journey's code; the practice is named as the journey's scoped manager would."""
    carried = Q(engagements_as_coach__practice=require_practice(),
                engagements_as_coach__stage__in=CARRIED_STAGES)
    rows = get_user_model().objects.filter(pk__in=coach_ids).annotate(n=Count("engagements_as_coach", filter=carried))
    return {user_id: n for user_id, n in rows.values_list("pk", "n") if n}


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
    """The coach's active bookings from a month ago onward, with whom each one is: one query."""
    since = (now or timezone.now()) - FEED_PAST
    return Booking.objects.filter(coach_id=profile.user_id, is_active=True, ends_at__gte=since).select_related(
        "chemistry_call__engagement__coachee", "coaching_session__engagement__coachee"
    )


def feed_events(profile: CoachProfile, *, practice_name: str, now: datetime | None = None) -> list[dict]:
    """The coach's bookings as events for coachhub.roster.calendar.feed(): one query.

    A chemistry call keeps the UID and SEQUENCE of the invites emailed about it, so a
    calendar holding both the invite and the feed shows one event, updated on reschedule.
    The leader's objectives stay out: a feed link is handed to calendar providers.
    """
    coach = profile.user
    events = []
    for booking in calendar_bookings(profile, now):
        call = getattr(booking, "chemistry_call", None)
        # A coaching session, likewise, keeps the UID and SEQUENCE of its invites.
        session = getattr(booking, "coaching_session", None)
        kind = booking.get_kind_display()
        attendees = []
        if call is not None:
            leader = call.engagement.coachee
            summary = f"{kind} with {leader}"
            attendees.append((str(leader), leader.email))
            uid, sequence = call.ics_uid, call.ics_sequence
        elif session is not None:
            leader = session.engagement.coachee
            summary = f"Coaching session {session.number}: {leader}"
            attendees.append((str(leader), leader.email))
            uid, sequence = session.ics_uid, session.ics_sequence
        else:
            summary = kind
            uid, sequence = f"booking-{booking.pk}@{settings.BASE_DOMAIN}", 0
        description = f"{summary}, booked through {practice_name}."
        link = meeting_link(profile, uid=uid)
        if link:
            description += f"\nJoin: {link}"
        events.append({
            "uid": uid, "sequence": sequence, "starts_at": booking.starts_at, "ends_at": booking.ends_at,
            "summary": summary, "description": description, "location": link,
            "organiser": (str(coach), coach.email), "attendees": attendees,
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
    loads = coach_load(list(users))
    entries = [
        RosterEntry(user=user, profile=profiles.get(user_id), is_coach=user_id in coaches, load=loads.get(user_id, 0))
        for user_id, user in users.items()
    ]
    return sorted(entries, key=lambda e: (e.status == CoachStatus.DEACTIVATED, str(e.user).casefold()))
