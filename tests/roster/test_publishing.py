"""A profile is published only when leaders can book it: something to read, hours, a video link."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError

from coachhub.roster import services
from coachhub.roster.models import CoachProfile, WeeklyHours
from coachhub.tenancy.models import AuditEntry
from tests.conftest import client_at
from tests.roster.conftest import profile_form

pytestmark = pytest.mark.django_db

PUBLISH, UNPUBLISH = "/roster/me/publish/", "/roster/me/unpublish/"


def profile_of(cast, in_practice, **fields) -> CoachProfile:
    with in_practice(cast):
        profile = services.profile_for_coach(user=cast.coach)
        for field, value in fields.items():
            setattr(profile, field, value)
        profile.save()
        return profile


def add_hours(cast, in_practice, profile) -> None:
    with in_practice(cast):
        WeeklyHours.objects.create(coach=profile, weekday=0, starts_at=time(9), ends_at=time(12))


def is_published(cast, in_practice) -> bool:
    with in_practice(cast):
        return CoachProfile.objects.get(user=cast.coach).is_published


def test_an_empty_profile_is_not_published_and_the_coach_is_told_everything_missing(acme, in_practice):
    profile_of(acme, in_practice)
    response = client_at(acme, acme.coach).post(PUBLISH, follow=True)
    page = response.content.decode()
    assert "Before you can publish, add a headline or a bio, at least one window of weekly hours and a video-call link." in page
    assert not is_published(acme, in_practice)


def test_the_coach_is_told_only_what_is_still_missing(acme, in_practice):
    profile = profile_of(acme, in_practice, bio="Twelve years of coaching leaders.")
    add_hours(acme, in_practice, profile)
    response = client_at(acme, acme.coach).post(PUBLISH, follow=True)
    assert "Before you can publish, add a video-call link." in response.content.decode()
    assert not is_published(acme, in_practice)


def test_the_profile_page_shows_a_checklist_of_what_publishing_needs(acme, in_practice):
    profile_of(acme, in_practice, headline="Coach", video_link="https://video.example/room")
    page = client_at(acme, acme.coach).get("/roster/me/").content.decode()
    assert "At least one window of weekly hours</a>" in page and "(missing)" in page
    assert page.count("(done)") == 2


def test_a_complete_profile_is_published_and_audited(acme, in_practice):
    profile = profile_of(acme, in_practice, headline="Coach for leaders in change", video_link="https://video.example/room")
    add_hours(acme, in_practice, profile)
    response = client_at(acme, acme.coach).post(PUBLISH)
    assert response.status_code == 302
    assert is_published(acme, in_practice)
    with in_practice(acme):
        assert AuditEntry.objects.filter(action="coach_profile.published", actor=acme.coach).exists()


def test_a_coach_unpublishes_their_profile(acme, in_practice):
    profile = profile_of(acme, in_practice, headline="Coach", video_link="https://video.example/room", is_published=True)
    add_hours(acme, in_practice, profile)
    response = client_at(acme, acme.coach).post(UNPUBLISH, follow=True)
    assert "Your profile is unpublished" in response.content.decode()
    assert not is_published(acme, in_practice)


def test_a_deactivated_profile_cannot_be_published(acme, in_practice):
    profile = profile_of(acme, in_practice, headline="Coach", video_link="https://video.example/room", is_active=False)
    add_hours(acme, in_practice, profile)
    response = client_at(acme, acme.coach).post(PUBLISH, follow=True)
    assert "deactivated your profile" in response.content.decode()
    assert not is_published(acme, in_practice)


def test_publishing_is_a_post(acme, in_practice):
    assert client_at(acme, acme.coach).get(PUBLISH).status_code == 405


def test_other_roles_cannot_publish(acme, in_practice):
    assert client_at(acme, acme.coachee).post(PUBLISH).status_code == 404


def test_the_last_weekly_window_of_a_published_profile_stays(acme, in_practice):
    profile = profile_of(acme, in_practice, headline="Coach", video_link="https://video.example/room", is_published=True)
    add_hours(acme, in_practice, profile)
    with in_practice(acme):
        window = profile.weekly_hours.get()
        with pytest.raises(ValidationError, match="at least one window"):
            services.remove_weekly_hours(profile=profile, window_id=window.pk, actor=acme.coach)
        assert profile.weekly_hours.count() == 1


def test_a_published_profile_keeps_a_headline_or_bio(acme, in_practice):
    profile = profile_of(acme, in_practice, headline="Coach", video_link="https://video.example/room", is_published=True)
    add_hours(acme, in_practice, profile)
    response = client_at(acme, acme.coach).post("/roster/me/", profile_form(profile, headline="", bio=""))
    assert response.status_code == 422
    assert "needs a headline or a bio" in " ".join(response.context["form"].errors["headline"])
    with in_practice(acme):
        assert CoachProfile.objects.get(pk=profile.pk).headline == "Coach"
