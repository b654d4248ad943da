"""Erasing a coach: the roster, told by PersonErased, forgets their profile's texts and photo, their
time-off notes, the connections to their own calendars (sealed credentials, busy times), so nothing
syncs their calendar again, and their feed link. Nobody else's calendars are touched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from coachhub.accounts.events import PersonErased
from coachhub.roster.calendars.models import BusyBlock, CalendarConnection, ConnectedCalendar
from coachhub.roster.calendars.sync import seal
from coachhub.roster.models import CoachProfile, TimeOff
from coachhub.roster.subscribers import person_erased
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.events import subscribers
from records import erasure
from tests.conftest import publish_coach

pytestmark = pytest.mark.django_db


def own_calendar(profile) -> CalendarConnection:
    """A subscription of the coach's with one busy block, as a sync leaves it."""
    connection = CalendarConnection.objects.create(
        coach=profile, kind="ical", host="calendar.example", status="ok", last_good_sync_at=timezone.now(),
        secret_ciphertext=seal({"url": f"https://calendar.example/{profile.user_id}.ics"}),
    )
    calendar = ConnectedCalendar.objects.create(connection=connection, url="subscription", name="Private")
    start = timezone.now() + timedelta(days=2)
    BusyBlock.objects.create(coach_id=profile.user_id, connection=connection, calendar=calendar, source="feed",
                             starts_at=start, ends_at=start + timedelta(hours=1))
    return connection


def coach_with_calendar(cast, coach) -> CoachProfile:
    with practice_context(cast.practice):
        profile = CoachProfile.objects.filter(user=coach).first() or publish_coach(coach)
        CoachProfile.objects.filter(pk=profile.pk).update(
            headline="Executive coach", bio="Twenty years with boards.", approach="Challenge with care.",
            specialisms=["Transitions"], accreditations=["EMCC Senior Practitioner"], languages=["English"],
            is_published=True,
        )
        today = timezone.localdate()
        TimeOff.objects.create(coach=profile, first_day=today + timedelta(days=30), last_day=today + timedelta(days=31),
                               note="Hospital appointment")
        own_calendar(profile)
        profile.refresh_from_db()
        return profile


def test_the_roster_listens_to_erasures():
    assert person_erased in subscribers(PersonErased)


def test_erasing_a_coach_forgets_their_profile_and_their_own_calendars(acme_coached, globex_coached):
    cast = acme_coached.cast
    erased = coach_with_calendar(cast, cast.coach2)
    kept = coach_with_calendar(cast, cast.coach)
    elsewhere = coach_with_calendar(globex_coached.cast, globex_coached.cast.coach2)
    old_feed = f"/roster/calendar/{erased.calendar_token}.ics"

    with practice_context(cast.practice):
        erasure.erase_person(person=cast.coach2, actor=cast.admin)

    with practice_context(cast.practice):
        profile = CoachProfile.objects.get(pk=erased.pk)
        assert (profile.headline, profile.bio, profile.approach) == ("", "", "")
        assert (profile.specialisms, profile.accreditations, profile.languages) == ([], [], [])
        assert not profile.is_published and not profile.is_active
        assert profile.calendar_token != erased.calendar_token
        assert list(TimeOff.objects.filter(coach=profile).values_list("note", flat=True)) == [""]
        assert not CalendarConnection.objects.filter(coach=profile).exists()
        assert not ConnectedCalendar.objects.filter(connection__coach=profile).exists()
        assert not BusyBlock.objects.filter(coach_id=cast.coach2.pk).exists()
        # Nothing of the other coach's is touched.
        other = CoachProfile.objects.get(pk=kept.pk)
        assert other.headline == "Executive coach" and other.calendar_token == kept.calendar_token
        assert TimeOff.objects.get(coach=other).note == "Hospital appointment"
        assert BusyBlock.objects.filter(connection__coach=other).count() == 1
    with practice_context(globex_coached.cast.practice):
        assert CalendarConnection.objects.filter(coach_id=elsewhere.pk).count() == 1
    assert Client(HTTP_HOST=cast.host).get(old_feed).status_code == 404
