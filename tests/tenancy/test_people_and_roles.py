"""Practice admins change roles and deactivate people; history and the audit trail stay."""

import pytest
from django.core.exceptions import ValidationError

from coachhub.tenancy import services
from coachhub.tenancy.models import AuditEntry, Membership
from tests.conftest import client_at, make_user

pytestmark = pytest.mark.django_db


def test_admin_gives_a_coach_a_second_role(acme, in_practice):
    with in_practice(acme):
        services.set_roles(user=acme.coach, roles={"coach", "admin"}, actor=acme.admin)
        assert set(Membership.objects.filter(user=acme.coach, is_active=True).values_list("role", flat=True)) == {"coach", "admin"}
    home = client_at(acme, acme.coach).get("/")
    assert b'id="home-coach"' in home.content and b'id="home-admin"' in home.content


def test_deactivating_keeps_the_history_and_writes_an_audit_line(acme, in_practice):
    with in_practice(acme):
        services.deactivate_person(user=acme.coach2, actor=acme.admin)
        membership = Membership.objects.get(user=acme.coach2)
        assert not membership.is_active and membership.deactivated_at is not None
        entry = AuditEntry.objects.get(action="membership.ended")
        assert entry.actor == acme.admin and entry.people == {"person": acme.coach2.pk}


def test_the_last_active_admin_cannot_be_removed(acme, in_practice):
    with in_practice(acme), pytest.raises(ValidationError, match="at least one active practice admin"):
        services.set_roles(user=acme.admin, roles={"coach"}, actor=acme.admin)


def test_roles_page_saves_and_shows_errors_without_500(acme):
    client = client_at(acme, acme.admin)
    response = client.post(f"/practice/people/{acme.coach2.pk}/", {"roles": ["coach", "sponsor"], "client_organisation": acme.organisation.pk})
    assert response.status_code == 302
    bad = client.post(f"/practice/people/{acme.admin.pk}/", {"roles": []})
    assert bad.status_code == 422 and b"at least one active practice admin" in bad.content
    unknown = client.post(f"/practice/people/{acme.coach2.pk}/", {"roles": ["emperor"]})
    assert unknown.status_code == 422 and b"Select a valid choice" in unknown.content


def test_a_person_of_another_practice_is_404(acme, globex):
    client = client_at(acme, acme.admin)
    assert client.get(f"/practice/people/{globex.coach.pk}/").status_code == 404
    assert client.post(f"/practice/people/{globex.coach.pk}/", {"roles": []}).status_code == 404
    outsider = make_user("nobody@example.com")
    assert client.get(f"/practice/people/{outsider.pk}/").status_code == 404


def test_an_organisation_of_another_practice_is_404(acme, globex):
    client = client_at(acme, acme.admin)
    assert client.get(f"/practice/organisations/{globex.organisation.pk}/").status_code == 404
    assert client.get(f"/practice/organisations/{acme.organisation.pk}/").status_code == 200


def test_people_page_lists_only_this_practice(acme, globex):
    page = client_at(acme, acme.admin).get("/practice/people/").content.decode()
    assert acme.coach.email in page
    assert globex.coach.email not in page


def test_people_page_query_count_does_not_grow_with_people(acme, in_practice, django_assert_max_num_queries):
    client = client_at(acme, acme.admin)
    client.get("/practice/people/")
    with in_practice(acme):
        for n in range(30):
            user = make_user(f"extra{n}@example.com")
            Membership.objects.create(user=user, role="coachee", client_organisation=acme.organisation)
    with django_assert_max_num_queries(12):
        assert client.get("/practice/people/").status_code == 200


def test_organisations_page_query_count_does_not_grow(acme, in_practice, django_assert_max_num_queries):
    client = client_at(acme, acme.admin)
    with in_practice(acme):
        for n in range(20):
            services.save_client_organisation(
                organisation=type(acme.organisation)(name=f"Org {n}"), actor=acme.admin
            )
    with django_assert_max_num_queries(12):
        assert client.get("/practice/organisations/").status_code == 200


def test_duplicate_organisation_name_gets_a_clear_message(acme):
    response = client_at(acme, acme.admin).post("/practice/organisations/", {"name": acme.organisation.name.upper()})
    assert response.status_code == 422 and b"already a client organisation" in response.content


@pytest.mark.parametrize("role", ["coach", "coachee", "sponsor"])
def test_admin_pages_are_404_for_other_roles(acme, role):
    client = client_at(acme, getattr(acme, role))
    for path in ["/practice/people/", "/practice/settings/", "/practice/organisations/", f"/practice/people/{acme.coach.pk}/"]:
        assert client.get(path).status_code == 404, path


def test_anonymous_visitors_are_sent_to_sign_in(acme):
    from django.test import Client

    response = Client(HTTP_HOST=acme.host).get("/practice/people/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
