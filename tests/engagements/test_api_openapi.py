"""GET /api/v1/openapi.json describes the whole API; every endpoint answers CORS."""

import re

import pytest
from django.urls import URLPattern

from engagements import api_urls
from tests.engagements.test_api_support import (  # noqa: F401
    api,
    bookable_coach,
    booking,
    frozen_now,
    post_booking,
)

pytestmark = pytest.mark.django_db

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def document(cast) -> dict:
    response = api(cast).get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def documented_route(pattern: URLPattern) -> str:
    """`coaches/<int:coach_id>/slots` → `/coaches/{coach_id}/slots`."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))


def references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def test_the_document_is_openapi_3_1_with_the_practices_own_server(acme):
    doc = document(acme)
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["servers"] == [{"url": "http://acme.localhost/api/v1", "description": "Acme Coaching"}]


def test_every_api_route_is_documented(acme):
    routes = {documented_route(p) for p in api_urls.urlpatterns if p.name != "api_not_found"}
    assert routes == set(document(acme)["paths"])


def test_every_operation_is_well_formed(acme):
    doc = document(acme)
    operation_ids = []
    for route, item in doc["paths"].items():
        assert route.startswith("/")
        templated = set(re.findall(r"{(\w+)}", route))
        for method, operation in item.items():
            assert method in METHODS
            operation_ids.append(operation["operationId"])
            parameters = operation.get("parameters", [])
            assert {p["name"] for p in parameters if p["in"] == "path"} == templated
            for parameter in parameters:
                assert parameter["in"] in {"path", "query", "header", "cookie"}
                assert "schema" in parameter
                assert parameter["in"] != "path" or parameter["required"] is True
            assert operation["responses"]
            for status, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", status)
                assert response["description"]
                for content in response.get("content", {}).values():
                    assert "schema" in content
            if method == "post":
                assert operation["requestBody"]["content"]["application/json"]["schema"]
    assert len(operation_ids) == len(set(operation_ids))


def test_every_reference_resolves(acme):
    doc = document(acme)
    refs = set(references(doc))
    assert refs
    for ref in refs:
        node = doc
        assert ref.startswith("#/")
        for part in ref[2:].split("/"):
            node = node[part]


def test_every_status_the_booking_endpoint_gives_is_documented(acme):
    responses = document(acme)["paths"]["/chemistry-calls"]["post"]["responses"]
    assert set(responses) == {"201", "400", "404", "409", "413", "422", "429"}
    assert set(document(acme)["paths"]["/coaches/{coach_id}/slots"]["get"]["responses"]) == {"200", "400", "404"}


def test_the_documents_booking_example_is_a_valid_request(acme):
    schema = document(acme)["components"]["schemas"]["ChemistryCallRequest"]
    example = document(acme)["paths"]["/chemistry-calls"]["post"]["requestBody"]["content"]["application/json"]["example"]
    assert set(schema["required"]) <= set(example) <= set(schema["properties"])


def test_tz_is_stated_as_the_list_of_zone_names_the_api_accepts(acme):
    from coachhub.tenancy.timezones import known_zones

    doc = document(acme)
    [query] = [p for p in doc["paths"]["/coaches/{coach_id}/slots"]["get"]["parameters"] if p["name"] == "tz"]
    body = doc["components"]["schemas"]["ChemistryCallRequest"]["properties"]["tz"]
    for schema in (query["schema"], body):
        assert schema["enum"] == sorted(known_zones())
        assert "Europe/London" in schema["enum"] and "Mars/Olympus" not in schema["enum"]


@pytest.mark.parametrize("tz", ["", " Europe/London", "Europe/London ", "europe/london", "Mars/Olympus"])
def test_a_zone_outside_the_list_is_refused_never_read_as_one_near_it(acme, frozen_now, tz):
    profile = bookable_coach(acme)
    response = api(acme).get(f"/api/v1/coaches/{profile.pk}/slots", {"start": "2026-03-23", "end": "2026-03-23", "tz": tz})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"tz"}
    response = post_booking(acme, booking(profile, tz=tz))
    assert response.status_code == 422 and set(response.json()["errors"]) == {"tz"}


def test_a_booking_whose_zone_is_null_is_refused_and_one_without_it_takes_the_practices(acme, frozen_now):
    profile = bookable_coach(acme)
    body = booking(profile)
    response = post_booking(acme, {**body, "tz": None})
    assert response.status_code == 422 and set(response.json()["errors"]) == {"tz"}
    del body["tz"]
    assert post_booking(acme, body).json()["tz"] == "Europe/London"


def test_the_examples_are_dated_from_the_day_the_document_is_served(acme):
    from datetime import date, datetime

    from django.utils import timezone

    from engagements.api.openapi import openapi_document

    doc = document(acme)
    example = doc["paths"]["/chemistry-calls"]["post"]["requestBody"]["content"]["application/json"]["example"]
    assert datetime.fromisoformat(example["start"]) > timezone.now()
    parameters = {p["name"]: p for p in doc["paths"]["/coaches/{coach_id}/slots"]["get"]["parameters"]}
    assert date.fromisoformat(parameters["start"]["example"]) > timezone.now().date()
    later = openapi_document("http://acme.localhost/api/v1", "Acme", today=date(2031, 5, 1))
    example = later["paths"]["/chemistry-calls"]["post"]["requestBody"]["content"]["application/json"]["example"]
    assert example["start"] == "2031-05-08T09:00:00+00:00"


# --- CORS ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/v1/coaches", "GET, HEAD, OPTIONS"),
        ("/api/v1/coaches/1/slots", "GET, HEAD, OPTIONS"),
        ("/api/v1/chemistry-calls", "POST, OPTIONS"),
        ("/api/v1/openapi.json", "GET, HEAD, OPTIONS"),
    ],
)
def test_a_preflight_is_answered_for_any_origin(acme, path, methods):
    response = api(acme).options(
        path, HTTP_ORIGIN="https://acme-coaching.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD=methods.split(",")[0],
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == methods
    assert response["Access-Control-Allow-Headers"] == "Content-Type"
    assert int(response["Access-Control-Max-Age"]) > 0


def test_reads_allow_any_origin(acme):
    profile = bookable_coach(acme)
    for path in ("/api/v1/coaches", f"/api/v1/coaches/{profile.pk}/slots?start=2030-01-01&end=2030-01-01",
                 "/api/v1/coaches/999999/slots", "/api/v1/openapi.json"):
        response = api(acme).get(path, HTTP_ORIGIN="https://acme-coaching.example")
        assert response["Access-Control-Allow-Origin"] == "*", path


def test_an_unknown_api_path_is_a_json_404_with_cors(acme):
    response = api(acme).get("/api/v1/coaches/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.usefixtures("frozen_now")
def test_the_documented_schemas_name_exactly_the_fields_the_api_sends(acme):
    schemas = document(acme)["components"]["schemas"]
    profile = bookable_coach(acme)
    [coach] = api(acme).get("/api/v1/coaches").json()
    slots = api(acme).get(f"/api/v1/coaches/{profile.pk}/slots", {"start": "2026-03-23", "end": "2026-03-23"}).json()
    call = post_booking(acme, booking(profile)).json()
    refused = post_booking(acme, booking(profile, email="ada@example.com")).json()
    for name, sent in (("Coach", coach), ("Slots", slots), ("ChemistryCall", call), ("Errors", refused)):
        assert set(schemas[name]["required"]) <= set(sent) <= set(schemas[name]["properties"]), name
    assert refused["code"] in schemas["Errors"]["properties"]["code"]["enum"]
