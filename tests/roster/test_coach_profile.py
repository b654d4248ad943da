"""A coach edits their own profile; bad input is explained next to the field and nothing is lost."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from coachhub.roster import services
from coachhub.roster.models import CoachProfile
from coachhub.tenancy.models import AuditEntry
from tests.conftest import client_at, publish_coach
from tests.roster.conftest import image_upload, profile_form

pytestmark = pytest.mark.django_db

URL = "/roster/me/"


def saved_profile(cast, in_practice, user=None) -> CoachProfile:
    with in_practice(cast):
        return CoachProfile.objects.get(user=user or cast.coach)


def test_a_coach_without_a_profile_sees_an_unpublished_one_that_is_saved_by_their_first_save(globex, in_practice):
    # Showing the page writes nothing (no profile, no audit row): GETs are read-only.
    client = client_at(globex, globex.coach)
    response = client.get(URL)
    assert response.status_code == 200
    assert '<option value="America/New_York" selected>' in response.content.decode()  # the practice's zone
    assert client.get("/roster/me/availability/").status_code == 200
    with in_practice(globex):
        assert not CoachProfile.objects.filter(user=globex.coach).exists()
        assert not AuditEntry.objects.filter(action="coach_profile.created").exists()
    assert client.post(URL, profile_form(time_zone="America/New_York")).status_code == 302
    profile = saved_profile(globex, in_practice)
    assert not profile.is_published and profile.is_active
    assert profile.time_zone == "America/New_York" and profile.headline == "Executive coach"
    with in_practice(globex):
        assert AuditEntry.objects.filter(action="coach_profile.created", actor=globex.coach).count() == 1


def test_a_second_save_reuses_the_profile(acme, in_practice):
    client = client_at(acme, acme.coach)
    client.post(URL, profile_form())
    client.post(URL, profile_form(headline="Second headline"))
    with in_practice(acme):
        assert CoachProfile.objects.filter(user=acme.coach).count() == 1


def test_coach_saves_their_profile(acme, in_practice):
    response = client_at(acme, acme.coach).post(URL, profile_form(
        headline="Coach for leaders in change", bio="Twelve years of coaching.", approach="Curious and direct.",
        time_zone="Asia/Tokyo", video_link="https://video.example/catherine", capacity="5",
    ))
    assert response.status_code == 302 and response["Location"] == URL
    profile = saved_profile(acme, in_practice)
    assert (profile.headline, profile.bio, profile.approach) == (
        "Coach for leaders in change", "Twelve years of coaching.", "Curious and direct.",
    )
    assert (profile.time_zone, profile.video_link, profile.capacity) == ("Asia/Tokyo", "https://video.example/catherine", 5)
    with in_practice(acme):
        entry = AuditEntry.objects.get(action="coach_profile.updated")
    assert entry.actor == acme.coach and "time_zone" in entry.details["changed"]


def test_comma_separated_lists_are_trimmed_and_deduplicated(acme, in_practice):
    client_at(acme, acme.coach).post(URL, profile_form(
        specialisms=" Executive presence ,career   transitions,, executive PRESENCE, ",
        accreditations="ICF PCC", languages="English, French, english",
    ))
    profile = saved_profile(acme, in_practice)
    assert profile.specialisms == ["Executive presence", "career transitions"]
    assert profile.accreditations == ["ICF PCC"]
    assert profile.languages == ["English", "French"]


def test_saved_lists_are_shown_comma_separated_for_editing(acme, in_practice):
    client = client_at(acme, acme.coach)
    client.post(URL, profile_form(specialisms="Strategy, Resilience"))
    assert 'value="Strategy, Resilience"' in client.get(URL).content.decode()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"video_link": "not a link"}, "video_link", "Enter a valid URL"),
        ({"video_link": "http://video.example/room"}, "video_link", "starts with https://"),
        ({"video_link": "javascript:alert(1)"}, "video_link", "Enter a valid URL"),
        ({"bio": "x" * 100_000}, "bio", "at most 4000 characters"),
        ({"headline": "x" * 161}, "headline", "at most 160 characters"),
        ({"specialisms": "Strategy, " + "y" * 61}, "specialisms", "at most 60 characters"),
        ({"languages": "z" * 5000}, "languages", "under 1000 characters"),
        ({"specialisms": ", ".join(f"topic {n}" for n in range(21))}, "specialisms", "at most 20 entries"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Select a valid choice"),
        ({"capacity": "101"}, "capacity", "less than or equal to 100"),
        ({"capacity": "-1"}, "capacity", "greater than or equal to 0"),
        ({"capacity": "lots"}, "capacity", "Enter a whole number"),
    ],
)
def test_bad_profile_input_is_explained_next_to_the_field_and_nothing_is_saved(acme, in_practice, changes, field, message):
    client = client_at(acme, acme.coach)
    client.post(URL, profile_form(headline="Saved headline"))
    response = client.post(URL, profile_form(**{"bio": "My new bio, still being written.", "headline": "Edited headline", **changes}))
    assert response.status_code == 422
    page = response.content.decode()
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert f'id="id_{field}_error"' in page
    # What the coach typed is still on the page; what was saved is unchanged.
    if field != "bio":
        assert "My new bio, still being written." in page
    assert saved_profile(acme, in_practice).headline == "Saved headline"


def test_a_photo_is_stored_under_the_practice_and_shown_to_the_coach(acme, in_practice):
    client = client_at(acme, acme.coach)
    response = client.post(URL, {**profile_form(), "photo": image_upload()})
    assert response.status_code == 302
    profile = saved_profile(acme, in_practice)
    assert profile.photo.name.startswith(f"practices/{acme.practice.pk}/coaches/")
    photo = client.get(f"/roster/coaches/{profile.pk}/photo")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"


def test_a_stored_photo_is_shrunk_and_loses_its_metadata(acme, in_practice):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make; a phone would add its GPS position too
    client_at(acme, acme.coach).post(URL, {**profile_form(), "photo": image_upload("JPEG", (2400, 1600), "me.jpg", exif)})
    profile = saved_profile(acme, in_practice)
    with profile.photo.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (800, 533)
        assert not image.getexif()


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("me.png", b"<svg onload=alert(1)>", content_type="image/png"), "Upload a valid image"),
        (image_upload("GIF", name="me.gif"), "Use a PNG, JPEG or WebP image"),
        (image_upload("PNG", (4100, 10)), "at most 4000 pixels"),
    ],
    ids=["not-an-image", "gif", "too-many-pixels"],
)
def test_a_bad_photo_is_refused_and_the_rest_of_the_form_is_kept(acme, in_practice, upload, message):
    response = client_at(acme, acme.coach).post(URL, {**profile_form(bio="Kept while the photo is refused."), "photo": upload})
    assert response.status_code == 422
    assert any(message in error for error in response.context["form"].errors["photo"])
    assert "Kept while the photo is refused." in response.content.decode()
    profile = saved_profile(acme, in_practice)
    assert not profile.photo and profile.bio == ""


def test_a_photo_over_two_megabytes_is_refused(acme, in_practice):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40)).save(buffer, "PNG")
    upload = SimpleUploadedFile("big.png", buffer.getvalue() + b"\0" * 2_200_000, content_type="image/png")
    response = client_at(acme, acme.coach).post(URL, {**profile_form(), "photo": upload})
    assert response.status_code == 422
    assert "larger than 2 MB" in response.content.decode()
    assert not saved_profile(acme, in_practice).photo


def test_a_coach_removes_their_photo_and_its_file_is_deleted(acme, in_practice, committed):
    client = client_at(acme, acme.coach)
    client.post(URL, {**profile_form(), "photo": image_upload()})
    profile = saved_profile(acme, in_practice)
    stored = profile.photo.path
    with committed():
        response = client.post(URL, profile_form(profile, remove_photo="on"))
    assert response.status_code == 302
    assert not saved_profile(acme, in_practice).photo
    assert not os.path.exists(stored)


def test_a_published_profile_cannot_lose_its_video_link(acme, in_practice):
    with in_practice(acme):
        profile = publish_coach(acme.coach, headline="Coach")
    response = client_at(acme, acme.coach).post(URL, profile_form(profile, video_link=""))
    assert response.status_code == 422
    assert "Unpublish it first" in " ".join(response.context["form"].errors["video_link"])
    assert saved_profile(acme, in_practice).video_link == "https://video.example/room"


def test_the_service_refuses_an_unknown_time_zone(acme, in_practice):
    with in_practice(acme):
        profile = services.profile_for_coach(user=acme.coach)
        with pytest.raises(ValidationError) as refused:
            services.update_coach_profile(profile=profile, actor=acme.coach, changes={"time_zone": "Not/AZone"})
    assert "time_zone" in refused.value.error_dict


@pytest.mark.parametrize("role", ["admin", "coachee", "sponsor"])
def test_only_coaches_have_a_profile_page(acme, in_practice, role):
    client = client_at(acme, getattr(acme, role))
    assert client.get(URL).status_code == 404
    assert client.post(URL, profile_form()).status_code == 404
    assert client.get("/roster/me/availability/").status_code == 404
    with in_practice(acme):
        assert not CoachProfile.objects.exists()


def test_anonymous_visitors_are_asked_to_sign_in(acme):
    response = client_at(acme).get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_good_photo_sent_with_a_mistake_elsewhere_is_asked_for_again(acme, in_practice):
    response = client_at(acme, acme.coach).post(URL, {**profile_form(video_link="not a link"), "photo": image_upload()})
    assert response.status_code == 422
    assert "please choose it again" in " ".join(response.context["form"].errors["photo"])
    assert "Your profile is not saved yet" in response.content.decode()
    assert not saved_profile(acme, in_practice).photo
