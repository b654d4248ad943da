"""GET /api/v1/coaches: the practice's published coaches, filtered by specialism or language."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Membership
from tests.engagements.test_api_support import api, bookable_coach, new_coach

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [coach["name"] for coach in response.json()]


def test_the_directory_lists_published_coaches_with_their_public_profile(acme):
    profile = bookable_coach(
        acme, headline="Leadership transitions", bio="Ex-CTO.", approach="Strengths-based.",
        specialisms=["Executive presence"], languages=["English", "French"], accreditations=["ICF PCC"],
        time_zone="Europe/Paris",
    )
    response = api(acme).get("/api/v1/coaches")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == [{
        "id": profile.pk, "name": "Coach Acme", "photo_url": None, "headline": "Leadership transitions",
        "bio": "Ex-CTO.", "approach": "Strengths-based.", "specialisms": ["Executive presence"],
        "languages": ["English", "French"], "accreditations": ["ICF PCC"], "time_zone": "Europe/Paris",
        "chemistry_call_minutes": 30,
    }]


def test_unpublished_inactive_and_former_coaches_are_not_listed(acme):
    bookable_coach(acme)
    bookable_coach(acme, acme.coach2, is_published=False)
    new_coach(acme, "inactive@acme.test", "Inactive Coach", is_active=False)
    former = new_coach(acme, "former@acme.test", "Former Coach")
    with practice_context(acme.practice):
        Membership.objects.filter(user=former.user).update(is_active=False, deactivated_at=timezone.now())
    assert names(api(acme).get("/api/v1/coaches")) == ["Coach Acme"]


def test_another_practices_coaches_are_never_listed(acme, globex):
    bookable_coach(acme)
    bookable_coach(globex)
    assert names(api(acme).get("/api/v1/coaches")) == ["Coach Acme"]
    assert names(api(globex).get("/api/v1/coaches")) == ["Coach Globex"]


def test_the_specialism_filter_matches_one_whole_item_ignoring_case(acme):
    bookable_coach(acme, specialisms=["Executive Presence", "Resilience"])
    bookable_coach(acme, acme.coach2, specialisms=["Presence in meetings"])
    assert names(api(acme).get("/api/v1/coaches", {"specialism": "executive presence"})) == ["Coach Acme"]
    assert names(api(acme).get("/api/v1/coaches", {"specialism": "presence"})) == []


def test_the_language_filter_matches_one_whole_item_ignoring_case(acme):
    bookable_coach(acme, languages=["English", "French"])
    bookable_coach(acme, acme.coach2, languages=["English"])
    assert names(api(acme).get("/api/v1/coaches", {"language": "FRENCH"})) == ["Coach Acme"]
    assert names(api(acme).get("/api/v1/coaches", {"language": "english"})) == ["Coach Acme", "Coach2 Acme"]


def test_both_filters_together_must_both_match(acme):
    bookable_coach(acme, specialisms=["Resilience"], languages=["French"])
    bookable_coach(acme, acme.coach2, specialisms=["Resilience"], languages=["German"])
    response = api(acme).get("/api/v1/coaches", {"specialism": "resilience", "language": "german"})
    assert names(response) == ["Coach2 Acme"]


def test_a_filter_value_with_quotes_and_commas_is_matched_literally(acme):
    bookable_coach(acme, specialisms=['Change, "at scale"'])
    assert names(api(acme).get("/api/v1/coaches", {"specialism": 'change, "AT SCALE"'})) == ["Coach Acme"]
    assert names(api(acme).get("/api/v1/coaches", {"specialism": "change"})) == []


def test_a_photo_is_an_absolute_url_of_the_coach_photo_page(acme):
    profile = bookable_coach(acme)
    with practice_context(acme.practice):
        profile.photo.name = f"practices/{acme.practice.pk}/coaches/portrait.jpg"
        profile.save()
    [coach] = api(acme).get("/api/v1/coaches").json()
    assert coach["photo_url"] == f"http://acme.localhost/roster/coaches/{profile.pk}/photo"


def test_a_coach_without_a_name_is_never_shown_by_email(acme):
    with practice_context(acme.practice):
        acme.coach.full_name = ""
        acme.coach.save()
    bookable_coach(acme)
    response = api(acme).get("/api/v1/coaches")
    assert response.json()[0]["name"] == ""
    assert b"@" not in response.content


@pytest.mark.parametrize("filters", [{}, {"specialism": "resilience", "language": "english"}])
def test_the_directory_takes_as_many_queries_for_20_coaches_as_for_3(acme, django_assert_max_num_queries, filters):
    for n in range(3):
        new_coach(acme, f"c{n}@acme.test", specialisms=["Resilience"], languages=["English"])
    client = api(acme)
    with CaptureQueriesContext(connection) as three:
        assert len(client.get("/api/v1/coaches", filters).json()) == 3
    for n in range(3, 20):
        new_coach(acme, f"c{n}@acme.test", specialisms=["Resilience"], languages=["English"])
    with django_assert_max_num_queries(len(three)):
        assert len(client.get("/api/v1/coaches", filters).json()) == 20
