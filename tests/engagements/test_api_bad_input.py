"""Input the booking API cannot use is a 4xx that states the limit, never a 500, and each limit
is the one /openapi.json states."""

import json

import pytest

from coachhub.tenancy.bad_input import MAX_QUERY_VALUE_LENGTH
from tests.engagements.test_api_support import (  # noqa: F401
    api,
    bookable_coach,
    booking,
    frozen_now,
)

pytestmark = pytest.mark.django_db


def parameter_schema(cast, route: str, name: str) -> dict:
    operation = api(cast).get("/api/v1/openapi.json").json()["paths"][route]["get"]
    return next(p["schema"] for p in operation["parameters"] if p["name"] == name)


def test_a_nul_in_the_directory_filter_is_a_400_not_a_500(acme):
    response = api(acme).get("/api/v1/coaches?language=%00")
    assert response.status_code == 400
    assert response.json()["errors"]["language"]


@pytest.mark.parametrize("parameter", ["specialism", "language"])
def test_a_directory_filter_longer_than_its_stated_limit_is_a_400(acme, parameter):
    limit = parameter_schema(acme, "/coaches", parameter)["maxLength"]
    bookable_coach(acme)
    assert api(acme).get("/api/v1/coaches", {parameter: "x" * limit}).status_code == 200
    response = api(acme).get("/api/v1/coaches", {parameter: "x" * (limit + 1)})
    assert response.status_code == 400
    assert response.json() == {"errors": {parameter: [f"Use at most {limit} characters."]}}


def test_a_query_parameter_over_the_site_wide_limit_is_a_400(acme):
    profile = bookable_coach(acme)
    response = api(acme).get(f"/api/v1/coaches/{profile.pk}/slots", {"start": "2026-03-23", "end": "2026-03-23",
                                                                    "tz": "x" * (MAX_QUERY_VALUE_LENGTH + 1)})
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_description_states_the_slot_range_and_the_rate_limits(acme, settings):
    settings.BOOKING_RATE_LIMIT_PER_IP = "7/h"
    description = api(acme).get("/api/v1/openapi.json").json()["info"]["description"]
    assert "at most 62 days" in description and "61 days for the default 60-day horizon" in description
    assert "7/h per client address" in description and "(429" in description and "(413)" in description


@pytest.mark.usefixtures("frozen_now")
def test_a_lone_surrogate_in_the_body_is_a_400(acme):
    profile = bookable_coach(acme)
    body = json.dumps(booking(profile)).replace('"Grace Hopper"', '"Grace \\ud800"')
    response = api(acme).post("/api/v1/chemistry-calls", body, content_type="application/json")
    assert response.status_code == 400
    assert "surrogate" in response.json()["errors"]["__all__"][0]


@pytest.mark.usefixtures("frozen_now")
def test_a_nul_in_a_booking_field_is_a_422_on_that_field(acme):
    profile = bookable_coach(acme)
    response = api(acme).post(
        "/api/v1/chemistry-calls", json.dumps(booking(profile, name="Grace\u0000")), content_type="application/json"
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["name"]
