"""What was sent, and above all what was accepted, never changes: the services refuse, and the
database refuses too (triggers in engagements/migrations/0002_contracts.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from engagements.contracting import drafts
from engagements.models import Acceptance, ContractVersion, Objective
from tests.conftest import client_at
from tests.contracts.conftest import accepted_by_all, sent

pytestmark = pytest.mark.django_db


def refused_by_the_database(statement: str, params: list) -> str:
    with pytest.raises(IntegrityError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    return str(refused.value)


def test_the_service_refuses_to_edit_an_accepted_version(acme, engagement, in_practice):
    version = accepted_by_all(acme, engagement)
    with in_practice(acme), pytest.raises(ValidationError, match="is accepted and can no longer be edited"):
        drafts.update_contract_draft(version=version, actor=acme.coach, changes={"sessions": 12})


def test_the_edit_page_of_an_accepted_version_explains_and_changes_nothing(acme, engagement, in_practice):
    version = accepted_by_all(acme, engagement)
    response = client_at(acme, acme.coach).post(f"/contracts/{version.pk}/edit/", {"sessions": "12"}, follow=True)
    assert response.status_code == 200
    assert "can no longer be edited" in response.content.decode() and "amend the contract" in response.content.decode()
    with in_practice(acme):
        assert ContractVersion.objects.get().sessions == 6


def test_the_database_refuses_to_change_an_accepted_versions_content(acme, engagement, in_practice):
    version = accepted_by_all(acme, engagement)
    with in_practice(acme):
        message = refused_by_the_database(
            "UPDATE engagements_contractversion SET section_confidentiality = 'Everything is shared.' WHERE id = %s", [version.pk]
        )
        assert "cannot be edited" in message
        refused_by_the_database("UPDATE engagements_contractversion SET rendered_text = 'forged' WHERE id = %s", [version.pk])
        refused_by_the_database("UPDATE engagements_contractversion SET sponsor_id = NULL WHERE id = %s", [version.pk])
        assert ContractVersion.objects.get().section_confidentiality != "Everything is shared."


def test_the_database_refuses_to_change_a_sent_versions_content_through_the_orm(acme, engagement, in_practice):
    version = sent(acme, engagement)
    with in_practice(acme):
        version.sessions = 20
        with pytest.raises(IntegrityError, match="cannot be edited"), transaction.atomic():
            version.save()


def test_the_database_refuses_to_delete_a_sent_version_or_move_it_back_to_draft(acme, engagement, in_practice):
    version = accepted_by_all(acme, engagement)
    with in_practice(acme):
        assert "cannot be deleted" in refused_by_the_database("DELETE FROM engagements_contractversion WHERE id = %s", [version.pk])
        assert "cannot go from accepted to draft" in refused_by_the_database(
            "UPDATE engagements_contractversion SET status = 'draft' WHERE id = %s", [version.pk]
        )
        refused_by_the_database("UPDATE engagements_contractversion SET accepted_at = now() - interval '1 day' WHERE id = %s", [version.pk])


def test_the_database_refuses_to_change_the_objectives_of_a_sent_version(acme, engagement, in_practice):
    version = sent(acme, engagement)
    with in_practice(acme):
        objective = Objective.objects.get()
        assert "cannot change" in refused_by_the_database(
            "UPDATE engagements_objective SET success_measure = 'anything' WHERE id = %s", [objective.pk]
        )
        refused_by_the_database("DELETE FROM engagements_objective WHERE id = %s", [objective.pk])
        with pytest.raises(IntegrityError), transaction.atomic():
            Objective.objects.create(version=version, position=9, description="More", success_measure="More", baseline=1)


def test_the_database_refuses_to_change_or_delete_an_acceptance(acme, engagement, in_practice):
    version = accepted_by_all(acme, engagement)
    with in_practice(acme):
        acceptance = Acceptance.objects.first()
        assert "cannot be changed or deleted" in refused_by_the_database(
            "UPDATE engagements_acceptance SET ip_address = '10.0.0.1' WHERE id = %s", [acceptance.pk]
        )
        refused_by_the_database("DELETE FROM engagements_acceptance WHERE id = %s", [acceptance.pk])
        assert version.acceptances.count() == 3


def test_the_database_refuses_an_acceptance_of_a_version_not_awaiting_acceptance(acme, engagement, in_practice):
    version = accepted_by_all(acme, engagement, sponsor=False)
    with in_practice(acme), pytest.raises(IntegrityError, match="awaiting acceptance"), transaction.atomic():
        Acceptance.objects.create(version=version, party=acme.sponsor, role="sponsor", text_sha256=version.text_sha256)


def test_a_draft_stays_editable_in_the_database(acme, engagement, in_practice):
    from tests.contracts.conftest import draft

    version = draft(acme, engagement)
    with in_practice(acme):
        ContractVersion.objects.filter(pk=version.pk).update(sessions=9)
        Objective.objects.filter(version=version).update(baseline=7)
        assert ContractVersion.objects.get().sessions == 9
