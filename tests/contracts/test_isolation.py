"""Contracts stay inside their practice: Row-Level Security underneath, 404 on every page."""

import pytest
from django.db import connection

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Role
from coachhub.tenancy.viewers import Viewer
from engagements.access import visible_contract_versions
from engagements.models import Acceptance, ContractVersion, Objective
from tests.conftest import client_at
from tests.contracts.conftest import accepted_by_all, matched_engagement

pytestmark = pytest.mark.django_db

TABLES = ["engagements_contracttemplate", "engagements_contractingsession", "engagements_contractversion",
          "engagements_objective", "engagements_acceptance"]


@pytest.fixture
def both(acme, globex):
    acme_version = accepted_by_all(acme, matched_engagement(acme))
    globex_version = accepted_by_all(globex, matched_engagement(globex))
    return acme_version, globex_version


def test_raw_sql_in_one_practice_sees_no_contract_rows_of_the_other(acme, globex, both):
    for cast, other in ((acme, globex), (globex, acme)):
        with practice_context(cast.practice), connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f'SELECT DISTINCT practice_id FROM "{table}"')
                assert other.practice.pk not in {row[0] for row in cursor.fetchall()}, table


def test_without_a_practice_no_contract_row_is_visible(both):
    with practice_context(None):
        assert not ContractVersion.objects.exists()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM engagements_acceptance")
            assert cursor.fetchone() == (0,)


def test_each_practice_reads_only_its_own_contracts(acme, globex, both):
    with practice_context(acme.practice):
        assert list(ContractVersion.objects.all()) == [both[0]]
        assert Objective.objects.count() == 1 and Acceptance.objects.count() == 3
        assert list(visible_contract_versions(Viewer(acme.admin, frozenset({Role.ADMIN})))) == [both[0]]


@pytest.mark.parametrize("path", [
    "/contracts/{version}/", "/contracts/{version}/pdf/", "/contracts/{version}/verify/", "/contracts/{version}/edit/",
    "/engagements/{engagement}/contract/", "/engagements/{engagement}/contracting-session/",
])
def test_every_contract_page_of_another_practice_is_404(acme, globex, both, path):
    acme_version = both[0]
    url = path.format(version=acme_version.pk, engagement=acme_version.engagement_id)
    for user in (globex.admin, globex.coach, globex.coachee2, globex.sponsor):
        assert client_at(globex, user).get(url).status_code == 404, (url, user)


def test_answering_a_contract_of_another_practice_is_404(acme, globex, both):
    acme_version = both[0]
    response = client_at(globex, globex.coachee2).post(
        f"/contracts/{acme_version.pk}/answer/", {"action": "accept", "text_sha256": acme_version.text_sha256}
    )
    assert response.status_code == 404


def test_the_contract_list_shows_only_this_practices_engagements(acme, globex, both):
    page = client_at(globex, globex.admin).get("/contracts/").content.decode()
    assert f"/engagements/{both[1].engagement_id}/contract/" in page
    assert f"/engagements/{both[0].engagement_id}/contract/" not in page
