"""A person's name is printed on pages, emails and documents: the profile never saves it blank."""

from __future__ import annotations

import pytest

from tests.conftest import client_at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("blank", ["", "   ", "\t \u3000"])
def test_a_blank_name_is_refused_next_to_the_field_and_nothing_is_saved(acme, blank):
    response = client_at(acme, acme.coach).post("/accounts/profile/", {"full_name": blank, "time_zone": "Europe/Paris"})
    assert response.status_code == 422
    assert "Give your name" in response.content.decode() and 'id="id_full_name_error"' in response.content.decode()
    acme.coach.refresh_from_db()
    assert (acme.coach.full_name, acme.coach.time_zone) == ("Coach Acme", "")


def test_a_name_is_saved_without_its_surrounding_spaces(acme):
    response = client_at(acme, acme.coach).post("/accounts/profile/", {"full_name": "  Ada Lovelace ", "time_zone": ""})
    assert response.status_code == 302
    acme.coach.refresh_from_db()
    assert acme.coach.full_name == "Ada Lovelace"
