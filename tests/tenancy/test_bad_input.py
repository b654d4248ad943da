"""A NUL byte anywhere in a request, or an over-long query parameter, is a clear 400 before any
view runs (PostgreSQL would refuse the NUL with a 500 wherever it reached a query)."""

import pytest
from django.test import Client

from coachhub.tenancy.bad_input import MAX_QUERY_VALUE_LENGTH
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import ClientOrganisation
from tests.conftest import client_at

pytestmark = pytest.mark.django_db


def test_a_nul_in_an_api_query_parameter_is_a_json_400_with_cors(acme):
    response = client_at(acme).get("/api/v1/coaches", {"language": "\x00"})
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "NUL" in response.json()["errors"]["language"][0]


def test_a_nul_in_a_page_query_parameter_is_a_400_page(acme):
    response = client_at(acme).get("/coaches/", {"specialism": "Resil\x00ience"})
    assert response.status_code == 400
    assert b"contains a NUL character" in response.content


def test_an_over_long_query_parameter_is_a_400(acme):
    response = client_at(acme).get("/coaches/", {"specialism": "x" * (MAX_QUERY_VALUE_LENGTH + 1)})
    assert response.status_code == 400
    assert f"at most {MAX_QUERY_VALUE_LENGTH} characters".encode() in response.content
    assert client_at(acme).get("/coaches/", {"specialism": "x" * MAX_QUERY_VALUE_LENGTH}).status_code == 200


def test_a_nul_in_a_form_field_is_a_400_and_nothing_is_saved(acme):
    client = client_at(acme, acme.admin)
    response = client.post("/practice/organisations/", {"name": "Nul\x00 Ltd"})
    assert response.status_code == 400
    with practice_context(acme.practice):
        assert not ClientOrganisation.objects.filter(name__startswith="Nul").exists()


def test_a_nul_in_a_cookie_is_a_400(acme):
    client = Client(HTTP_HOST=acme.host)
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert client.get("/").status_code == 400


def test_the_bare_domain_refuses_a_nul_too(db):
    assert Client(HTTP_HOST="localhost").get("/admin/", {"q": "\x00"}).status_code == 400
