"""Each role lands on its own home page, with its navigation; query counts stay constant."""

import pytest

from coachhub.tenancy import services
from tests.conftest import client_at

pytestmark = pytest.mark.django_db

SECTIONS = {"admin": b'id="home-admin"', "coach": b'id="home-coach"', "coachee": b'id="home-coachee"', "sponsor": b'id="home-sponsor"'}


@pytest.mark.parametrize("role", ["admin", "coach", "coachee", "sponsor"])
def test_each_role_sees_its_own_section_and_no_other(acme, role):
    page = client_at(acme, getattr(acme, role)).get("/").content
    assert SECTIONS[role] in page
    for other, marker in SECTIONS.items():
        if other != role:
            assert marker not in page
    assert (b'href="/practice/people/"' in page) == (role == "admin")


def test_a_person_with_two_roles_sees_both(acme, in_practice):
    with in_practice(acme):
        services.set_roles(user=acme.coach, roles={"coach", "admin"}, actor=acme.admin)
    page = client_at(acme, acme.coach).get("/").content
    assert SECTIONS["coach"] in page and SECTIONS["admin"] in page


def test_pages_are_branded_with_the_practice(acme):
    page = client_at(acme).get("/accounts/login/").content.decode()
    # The colours come from the practice's stylesheet (no inline style under the CSP).
    assert "Acme Coaching" in page and f'href="/branding/colours.css?v={acme.practice.brand_colour[1:]}"' in page
    stylesheet = client_at(acme).get("/branding/colours.css").content.decode()
    assert f"--brand: {acme.practice.brand_colour}" in stylesheet


def test_times_are_shown_in_the_viewers_zone(acme):
    acme.coach.time_zone = "Asia/Tokyo"
    acme.coach.save()
    assert "Times are shown in Asia/Tokyo" in client_at(acme, acme.coach).get("/").content.decode()
    assert "Times are shown in Europe/London" in client_at(acme, acme.coachee).get("/").content.decode()


def test_home_page_query_count_is_small_and_fixed(acme, django_assert_max_num_queries):
    client = client_at(acme, acme.admin)
    with django_assert_max_num_queries(8):
        client.get("/")
