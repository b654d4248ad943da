"""A coach connects their own calendars on /roster/me/calendars/: discovery, choices, test, pause,
remove; credentials sealed; nobody else's connection reachable; admins see only who and when."""

from __future__ import annotations

import pytest

from coachhub.roster.calendars import services
from coachhub.roster.calendars.models import BusyBlock, CalendarConnection
from coachhub.roster.calendars.sync import secrets_of
from coachhub.tenancy.models import AuditEntry
from tests.conftest import client_at, publish_coach
from tests.roster.calendar_helpers import connect, local, sync, vevent, weekday_ahead

PAGE = "/roster/me/calendars/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(acme, in_practice):
    with in_practice(acme):
        return publish_coach(acme.coach)


def test_connecting_on_the_page_discovers_the_calendars_and_picks_one_for_bookings(acme, in_practice, coach, radicale, committed):
    username, password = radicale.add_user()
    radicale.make_calendar(username, password, "Work")
    radicale.make_calendar(username, password, "Family")
    client = client_at(acme, acme.coach)
    with committed():
        response = client.post(PAGE + "caldav/", {"url": radicale.url, "username": username, "password": password,
                                                 "calendar": "work"})
    assert response.status_code == 302
    page = client.get(PAGE).content.decode()
    assert "Family" in page and "Work" in page and password not in page
    with in_practice(acme):
        connection = CalendarConnection.objects.get()
        assert connection.status == "ok"  # the first sync ran after the commit
        assert {c.name: c.receives_bookings for c in connection.calendars.all()} == {"Work": True, "Family": False}
        assert password not in connection.secret_ciphertext and secrets_of(connection)["password"] == password
        assert password not in str(AuditEntry.objects.values_list("details", "subject"))


def test_a_wrong_password_is_a_message_next_to_the_field(acme, in_practice, coach, radicale):
    username, _ = radicale.add_user()
    response = client_at(acme, acme.coach).post(PAGE + "caldav/", {"url": radicale.url, "username": username, "password": "nope"})
    assert response.status_code == 422
    assert "refused the sign-in" in response.content.decode()
    with in_practice(acme):
        assert not CalendarConnection.objects.exists()


def test_an_ical_subscription_is_read_only_and_its_address_is_never_shown(acme, in_practice, coach, live_server_ics):
    url = live_server_ics(vevent("x@y", f":{local(weekday_ahead(1), 9)}Z", f":{local(weekday_ahead(1), 10)}Z"))
    client = client_at(acme, acme.coach)
    assert client.post(PAGE + "ical/", {"ical_url": url}).status_code == 302
    with in_practice(acme):
        connection = CalendarConnection.objects.get()
        assert sync(connection).busy_blocks == 1
    page = client.get(PAGE).content.decode()
    assert "secret-token" not in page and "Write bookings into" not in page


def test_pausing_stops_counting_and_removing_forgets_everything(acme, in_practice, coach, radicale):
    day = weekday_ahead(1)
    with in_practice(acme):
        connection, _, _ = connect(radicale, coach, acme.coach, ("Work", [vevent("a@x", f":{local(day, 9)}Z", f":{local(day, 10)}Z")]))
        sync(connection)
    client = client_at(acme, acme.coach)
    client.post(f"{PAGE}{connection.pk}/pause/")
    with in_practice(acme):
        assert CalendarConnection.objects.get().is_paused
    assert "Paused" in client.get(PAGE).content.decode()
    client.post(f"{PAGE}{connection.pk}/remove/")
    with in_practice(acme):
        assert not CalendarConnection.objects.exists() and not BusyBlock.objects.exists()


def test_test_reports_whether_the_connection_works(acme, in_practice, coach, radicale):
    with in_practice(acme):
        connection, _, _ = connect(radicale, coach, acme.coach, ("Work", []))
    response = client_at(acme, acme.coach).post(f"{PAGE}{connection.pk}/test/", follow=True)
    assert "The connection works: 1 calendar(s) found." in response.content.decode()


@pytest.mark.parametrize("action", ["choose", "test", "sync", "pause", "resume", "remove"])
def test_another_coach_or_practice_cannot_touch_a_connection(acme, globex, in_practice, coach, radicale, action):
    with in_practice(acme):
        connection, _, _ = connect(radicale, coach, acme.coach, ("Work", []))
    with in_practice(globex):
        publish_coach(globex.coach)
    assert client_at(acme, acme.coach2).post(f"{PAGE}{connection.pk}/{action}/").status_code == 404
    assert client_at(globex, globex.coach).post(f"{PAGE}{connection.pk}/{action}/").status_code == 404
    assert client_at(acme, acme.admin).post(f"{PAGE}{connection.pk}/{action}/").status_code == 404
    with in_practice(acme):
        assert CalendarConnection.objects.filter(pk=connection.pk, is_paused=False).exists()


def test_admins_see_who_has_a_connection_and_when_it_synced_never_what_is_in_it(acme, in_practice, coach, radicale):
    day = weekday_ahead(1)
    with in_practice(acme):
        connection, _, (_, password) = connect(radicale, coach, acme.coach, ("Secret project", [
            vevent("a@x", f":{local(day, 9)}Z", f":{local(day, 10)}Z"),
        ]))
        sync(connection)
    page = client_at(acme, acme.admin).get("/roster/").content.decode()
    assert "1 connected" in page and "Last sync" in page
    assert "Secret project" not in page and "Board meeting" not in page and password not in page


def test_key_rotation_reencrypts_calendar_credentials(acme, in_practice, coach, radicale, settings):
    from cryptography.fernet import Fernet

    with in_practice(acme):
        connection, _, (_, password) = connect(radicale, coach, acme.coach, ("Work", []))
        old = CalendarConnection.objects.get().secret_ciphertext
        settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]
        assert services.reencrypt_calendar_credentials() == 1
        rotated = CalendarConnection.objects.get()
        assert rotated.secret_ciphertext != old
        settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
        assert secrets_of(rotated)["password"] == password
