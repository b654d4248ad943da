"""The practice admin's coach roster: every coach, their status and load, and what can be done."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachhub.roster import services
from coachhub.roster.models import CoachProfile
from coachhub.tenancy.models import AuditEntry, Membership, Role
from tests.conftest import client_at, publish_coach
from tests.roster.conftest import add_coach, carried, end_coach_role

pytestmark = pytest.mark.django_db

ROSTER = "/roster/"


def rows(response) -> dict[str, object]:
    return {entry.user.email: entry for entry in response.context["entries"]}


def test_the_roster_lists_every_coach_with_status_load_and_zone(acme, in_practice):
    with in_practice(acme):
        publish_coach(acme.coach, time_zone="Europe/Paris", capacity=3)
        carried(acme.coach, acme.coachee)
        carried(acme.coach, acme.coachee2)
        former = add_coach("former@acme.test", "Former Coach")
        services.profile_for_coach(user=former)
        end_coach_role(former)
    response = client_at(acme, acme.admin).get(ROSTER)
    entries = rows(response)
    assert set(entries) == {acme.coach.email, acme.coach2.email, "former@acme.test"}
    assert entries[acme.coach.email].status == "published" and entries[acme.coach.email].load == 2
    assert entries[acme.coach2.email].status == "unpublished" and entries[acme.coach2.email].profile is None
    assert entries["former@acme.test"].status == "deactivated"
    page = response.content.decode()
    assert "2 / 3" in page and "Europe/Paris" in page and "No profile yet" in page
    assert "No longer holds the coach role" in page
    assert "/practice/people/invite/?role=coach" in page


def test_an_admin_unpublishes_a_coach(acme, in_practice):
    with in_practice(acme):
        profile = publish_coach(acme.coach)
    response = client_at(acme, acme.admin).post(f"/roster/coaches/{profile.pk}/unpublish/", follow=True)
    assert "is unpublished" in response.content.decode()
    with in_practice(acme):
        profile.refresh_from_db()
        assert not profile.is_published and profile.is_active
        assert AuditEntry.objects.filter(action="coach_profile.unpublished", actor=acme.admin).exists()


def test_deactivating_unpublishes_and_keeps_the_membership_and_history(acme, in_practice):
    with in_practice(acme):
        profile = publish_coach(acme.coach)
        engagement = carried(acme.coach, acme.coachee)
    response = client_at(acme, acme.admin).post(f"/roster/coaches/{profile.pk}/deactivate/", follow=True)
    assert rows(response)[acme.coach.email].status == "deactivated"
    with in_practice(acme):
        profile.refresh_from_db()
        assert not profile.is_active and not profile.is_published
        assert Membership.objects.get(user=acme.coach, role=Role.COACH).is_active
        engagement.refresh_from_db()
        assert engagement.coach == acme.coach
        assert AuditEntry.objects.filter(action="coach_profile.deactivated", actor=acme.admin).exists()


def deactivated(cast, in_practice) -> CoachProfile:
    with in_practice(cast):
        profile = publish_coach(cast.coach)
        return services.deactivate_coach(profile=profile, actor=cast.admin)


def test_a_deactivated_coach_can_be_reactivated_and_stays_unpublished(acme, in_practice):
    profile = deactivated(acme, in_practice)
    response = client_at(acme, acme.admin).post(f"/roster/coaches/{profile.pk}/reactivate/", follow=True)
    assert rows(response)[acme.coach.email].status == "unpublished"
    with in_practice(acme):
        profile.refresh_from_db()
    assert profile.is_active and not profile.is_published


def test_a_coach_whose_role_ended_is_not_reactivated_here(acme, in_practice):
    profile = deactivated(acme, in_practice)
    with in_practice(acme):
        end_coach_role(acme.coach)
    response = client_at(acme, acme.admin).post(f"/roster/coaches/{profile.pk}/reactivate/", follow=True)
    assert "no longer has the coach role here" in response.content.decode()
    with in_practice(acme):
        profile.refresh_from_db()
    assert not profile.is_active


def test_roster_actions_are_posts(acme, in_practice):
    with in_practice(acme):
        profile = publish_coach(acme.coach)
    assert client_at(acme, acme.admin).get(f"/roster/coaches/{profile.pk}/deactivate/").status_code == 405


@pytest.mark.parametrize("role", ["coach", "coach2", "coachee", "sponsor"])
def test_only_practice_admins_see_the_roster_or_act_on_it(acme, in_practice, role):
    with in_practice(acme):
        profile = publish_coach(acme.coach)
    client = client_at(acme, getattr(acme, role))
    assert client.get(ROSTER).status_code == 404
    assert client.post(f"/roster/coaches/{profile.pk}/deactivate/").status_code == 404
    with in_practice(acme):
        assert CoachProfile.objects.get(pk=profile.pk).is_active


def test_anonymous_visitors_are_sent_to_sign_in(acme):
    response = client_at(acme).get(ROSTER)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_another_practices_coach_cannot_be_acted_on(acme, globex, in_practice):
    with in_practice(globex):
        theirs = publish_coach(globex.coach)
    client = client_at(acme, acme.admin)
    assert client.post(f"/roster/coaches/{theirs.pk}/deactivate/").status_code == 404
    assert globex.coach.email not in client.get(ROSTER).content.decode()
    with in_practice(globex):
        theirs.refresh_from_db()
    assert theirs.is_active and theirs.is_published


def test_an_unknown_coach_is_404(acme):
    assert client_at(acme, acme.admin).post("/roster/coaches/999999/unpublish/").status_code == 404


def test_the_roster_costs_the_same_queries_for_three_coaches_or_thirty(acme, in_practice, django_assert_max_num_queries):
    def add_coaches(first, last):
        with in_practice(acme):
            for n in range(first, last):
                coach = add_coach(f"extra-coach{n}@acme.test", f"Coach Number {n}")
                publish_coach(coach)
                carried(coach, acme.coachee if n % 2 else acme.coachee2)

    add_coaches(1, 2)  # with acme.coach and acme.coach2: three coaches
    client = client_at(acme, acme.admin)
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(ROSTER).context["entries"]) == 3
    add_coaches(2, 29)
    with django_assert_max_num_queries(len(three)):
        response = client.get(ROSTER)
    assert len(response.context["entries"]) == 30
