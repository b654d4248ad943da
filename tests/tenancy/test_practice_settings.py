"""Practice admins edit settings and branding; bad input is explained, nothing is lost."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.conftest import client_at

pytestmark = pytest.mark.django_db


def settings_form(cast, **changes):
    return {
        "name": cast.practice.name, "time_zone": cast.practice.time_zone,
        "brand_colour": cast.practice.brand_colour, "max_chemistry_calls": 3, "mid_point_percent": 50,
        "measurement_grace_days": 7, "on_track_tolerance": "1.0", **changes,
    }


def png(size=(40, 20)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#336699").save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def test_admin_changes_name_colour_and_zone(acme):
    client = client_at(acme, acme.admin)
    response = client.post("/practice/settings/", settings_form(acme, name="Acme Leadership", brand_colour="#AA3300", time_zone="Asia/Tokyo"))
    assert response.status_code == 302
    acme.practice.refresh_from_db()
    assert (acme.practice.name, acme.practice.brand_colour, acme.practice.time_zone) == ("Acme Leadership", "#aa3300", "Asia/Tokyo")
    page = client.get("/").content.decode()
    assert 'href="/branding/colours.css?v=aa3300"' in page and "Acme Leadership" in page
    assert "--brand: #aa3300" in client.get("/branding/colours.css").content.decode()


def test_logo_upload_is_stored_per_practice_and_served_on_its_host(acme, globex, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_at(acme, acme.admin)
    response = client.post("/practice/settings/", {**settings_form(acme), "logo": png()})
    assert response.status_code == 302
    acme.practice.refresh_from_db()
    assert acme.practice.logo.name.startswith(f"practices/{acme.practice.pk}/branding/")
    assert client.get("/branding/logo").status_code == 200
    assert client_at(globex).get("/branding/logo").status_code == 404


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"brand_colour": "red"}, "Use a colour like"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"max_chemistry_calls": "0"}, "greater than or equal to 1"),
        ({"mid_point_percent": "95"}, "less than or equal to 90"),
        ({"on_track_tolerance": "-1"}, "greater than or equal to 0"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_bad_settings_are_explained_and_nothing_changes(acme, changes, message):
    response = client_at(acme, acme.admin).post("/practice/settings/", settings_form(acme, **changes))
    assert response.status_code == 422
    assert message in response.content.decode()
    acme.practice.refresh_from_db()
    assert acme.practice.name == "Acme Coaching"


def test_a_file_that_is_not_an_image_is_refused_as_logo(acme):
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client_at(acme, acme.admin).post("/practice/settings/", {**settings_form(acme), "logo": fake})
    assert response.status_code == 422
    assert b"Upload a valid image" in response.content


def test_an_oversized_logo_is_refused(acme):
    big = png(size=(3000, 3000))
    big_bytes = big.read() + b"\0" * 1_100_000
    upload = SimpleUploadedFile("logo.png", big_bytes, content_type="image/png")
    response = client_at(acme, acme.admin).post("/practice/settings/", {**settings_form(acme), "logo": upload})
    assert response.status_code == 422
    assert b"larger than 1 MB" in response.content


def test_admin_lets_coachees_book_and_sets_the_measurement_rules(acme):
    client = client_at(acme, acme.admin)
    response = client.post("/practice/settings/", settings_form(
        acme, coachees_book_sessions="on", mid_point_percent=40, measurement_grace_days=3, on_track_tolerance="0.5",
    ))
    assert response.status_code == 302
    acme.practice.refresh_from_db()
    assert acme.practice.coachees_book_sessions and acme.practice.mid_point_percent == 40
    assert (acme.practice.measurement_grace_days, str(acme.practice.on_track_tolerance)) == (3, "0.5")
