"""A coach's photo: public while people can book the coach, otherwise only for them and admins."""

import pytest
from django.test import Client

from coachhub.roster import services
from tests.conftest import client_at, publish_coach
from tests.roster.conftest import end_coach_role, image_upload, profile_form

pytestmark = pytest.mark.django_db


def with_photo(cast, in_practice, *, published: bool):
    """The cast's coach, with a photo uploaded through their profile page."""
    if published:
        with in_practice(cast):
            profile = publish_coach(cast.coach, headline="Coach")
    else:
        with in_practice(cast):
            profile = services.profile_for_coach(user=cast.coach)
    client_at(cast, cast.coach).post("/roster/me/", {**profile_form(profile), "photo": image_upload()})
    with in_practice(cast):
        profile.refresh_from_db()
    assert profile.photo
    return profile


def photo_url(profile) -> str:
    return f"/roster/coaches/{profile.pk}/photo"


def test_a_bookable_coachs_photo_is_public(acme, in_practice):
    profile = with_photo(acme, in_practice, published=True)
    response = Client(HTTP_HOST=acme.host).get(photo_url(profile))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]


def test_an_unpublished_coachs_photo_is_only_for_the_coach_and_admins(acme, in_practice):
    profile = with_photo(acme, in_practice, published=False)
    assert Client(HTTP_HOST=acme.host).get(photo_url(profile)).status_code == 404
    for someone in (acme.coach2, acme.coachee, acme.sponsor):
        assert client_at(acme, someone).get(photo_url(profile)).status_code == 404
    for allowed in (acme.coach, acme.admin):
        response = client_at(acme, allowed).get(photo_url(profile))
        assert response.status_code == 200 and "private" in response["Cache-Control"]


def test_a_former_coachs_photo_is_no_longer_public(acme, in_practice):
    profile = with_photo(acme, in_practice, published=True)
    with in_practice(acme):
        end_coach_role(acme.coach)
    assert Client(HTTP_HOST=acme.host).get(photo_url(profile)).status_code == 404


def test_another_practices_coach_photo_is_404_on_this_host(acme, globex, in_practice):
    theirs = with_photo(globex, in_practice, published=True)
    assert Client(HTTP_HOST=globex.host).get(photo_url(theirs)).status_code == 200
    assert Client(HTTP_HOST=acme.host).get(photo_url(theirs)).status_code == 404
    assert client_at(acme, acme.admin).get(photo_url(theirs)).status_code == 404


def test_a_profile_without_a_photo_is_404(acme, in_practice):
    with in_practice(acme):
        profile = publish_coach(acme.coach)
    assert Client(HTTP_HOST=acme.host).get(photo_url(profile)).status_code == 404


def test_a_photo_whose_file_went_missing_is_404_not_an_error(acme, in_practice):
    profile = with_photo(acme, in_practice, published=True)
    profile.photo.storage.delete(profile.photo.name)
    assert Client(HTTP_HOST=acme.host).get(photo_url(profile)).status_code == 404
