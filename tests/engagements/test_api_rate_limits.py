"""Anonymous booking is rate-limited per client address and per email, per practice."""

import pytest

from coachhub.tenancy.context import practice_context
from engagements.models import ChemistryCall
from engagements.ratelimit import Rate, client_network
from tests.engagements.test_api_support import (  # noqa: F401
    api,
    bookable_coach,
    booking,
    frozen_now,
    post_booking,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def limited(response) -> int:
    assert response.status_code == 429, response.content
    assert response.json()["code"] == "rate_limited"
    assert list(response.json()["errors"]) == ["__all__"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in response["Access-Control-Expose-Headers"]
    return int(response["Retry-After"])


def test_attempts_from_one_address_beyond_the_limit_are_429_with_retry_after(acme, settings):
    settings.BOOKING_RATE_LIMIT_PER_IP = "3/h"
    profile = bookable_coach(acme)
    for n in range(3):
        assert post_booking(acme, booking(profile, email=f"x{n}@example.com", objectives="")).status_code == 422
    assert 1 <= limited(post_booking(acme, booking(profile))) <= 3600
    with practice_context(acme.practice):
        assert not ChemistryCall.objects.exists()


def test_another_address_is_not_held_back(acme, settings):
    settings.BOOKING_RATE_LIMIT_PER_IP = "1/h"
    profile = bookable_coach(acme)
    assert post_booking(acme, "{", REMOTE_ADDR="192.0.2.1").status_code == 400
    assert post_booking(acme, "{", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert post_booking(acme, booking(profile), REMOTE_ADDR="192.0.2.2").status_code == 201


def test_addresses_in_one_ipv6_64_count_together(acme, settings):
    settings.BOOKING_RATE_LIMIT_PER_IP = "1/h"
    assert post_booking(acme, "{", REMOTE_ADDR="2001:db8:1:2::1").status_code == 400
    assert post_booking(acme, "{", REMOTE_ADDR="2001:db8:1:2::ffff").status_code == 429
    assert post_booking(acme, "{", REMOTE_ADDR="2001:db8:1:3::1").status_code == 400


def test_attempts_for_one_email_from_many_addresses_are_limited(acme, settings):
    settings.BOOKING_RATE_LIMIT_PER_EMAIL = "2/h"
    profile = bookable_coach(acme)
    for n in range(2):
        response = post_booking(acme, booking(profile, start="2026-03-23T09:10:00+00:00"), REMOTE_ADDR=f"192.0.2.{n}")
        assert response.status_code == 409
    limited(post_booking(acme, booking(profile, email="GRACE@example.com"), REMOTE_ADDR="192.0.2.9"))
    assert post_booking(acme, booking(profile, email="ada@example.com"), REMOTE_ADDR="192.0.2.9").status_code == 201


def test_one_practices_limit_leaves_another_practice_alone(acme, globex, settings):
    settings.BOOKING_RATE_LIMIT_PER_IP = "1/h"
    profile = bookable_coach(globex)
    assert post_booking(acme, "{").status_code == 400
    assert post_booking(acme, "{").status_code == 429
    assert post_booking(globex, booking(profile)).status_code == 201


def test_reading_the_directory_and_slots_is_not_limited(acme, settings):
    settings.BOOKING_RATE_LIMIT_PER_IP = "1/h"
    profile = bookable_coach(acme)
    client = api(acme)
    for _ in range(3):
        assert client.get("/api/v1/coaches").status_code == 200
        assert client.get(f"/api/v1/coaches/{profile.pk}/slots", {"start": "2026-03-23", "end": "2026-03-23"}).status_code == 200


@pytest.mark.parametrize(
    ("text", "rate"),
    [("10/h", Rate(10, 3600)), ("5/15m", Rate(5, 900)), ("100/d", Rate(100, 86400)), (" 3 / 30s ", Rate(3, 30))],
)
def test_rates_read_like_count_per_period(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["10", "0/h", "10/0h", "ten/h", "10/w", ""])
def test_a_malformed_rate_is_refused(text):
    with pytest.raises(ValueError):
        Rate.parse(text)


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [("192.0.2.7", "192.0.2.7"), ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"), ("::ffff:192.0.2.7", "192.0.2.7")],
)
def test_clients_are_counted_by_ipv4_address_or_ipv6_64(address, counted_as):
    assert client_network(address) == counted_as
