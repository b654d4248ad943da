"""The practice admin keeps the contract template; a drafted contract keeps its own copy."""

import pytest

from engagements.contract_selectors import contract_template
from engagements.models import ContractTemplate, ContractVersion
from engagements.models.contracts import DEFAULT_SECTION_TEXTS
from tests.conftest import client_at
from tests.contracts.conftest import draft

pytestmark = pytest.mark.django_db

SECTIONS = {f"section_{key}": text for key, text in DEFAULT_SECTION_TEXTS.items()}
PACKAGE = {"sessions": 8, "frequency": "monthly", "session_minutes": 60, "cancellation_notice_hours": 24, "retention_months": 36}


def test_the_template_page_starts_from_the_default_texts(acme):
    page = client_at(acme, acme.admin).get("/practice/contract-template/").content.decode()
    assert "Support and challenge" in page and "Record keeping" in page
    assert "The coach will support the coachee" in page


def test_an_admin_saves_the_template_and_it_is_audited(acme, in_practice):
    response = client_at(acme, acme.admin).post(
        "/practice/contract-template/", {**SECTIONS, **PACKAGE, "section_confidentiality": "Strictly between us."}
    )
    assert response.status_code == 302
    with in_practice(acme):
        template = ContractTemplate.objects.get()
        assert template.sessions == 8 and template.section_confidentiality == "Strictly between us."
        from coachhub.tenancy.models import AuditEntry

        assert AuditEntry.objects.filter(action="contract_template.updated", actor=acme.admin).exists()


def test_changing_the_template_never_changes_a_drafted_contract(acme, engagement, in_practice):
    version = draft(acme, engagement)
    client_at(acme, acme.admin).post(
        "/practice/contract-template/", {**SECTIONS, **PACKAGE, "section_commitment": "A brand new commitment."}
    )
    with in_practice(acme):
        version = ContractVersion.objects.get(pk=version.pk)
        assert version.section_commitment == DEFAULT_SECTION_TEXTS["commitment"]
        assert version.sessions == 6
        assert contract_template().section_commitment == "A brand new commitment."


def test_a_draft_starts_from_the_saved_template(acme, engagement, in_practice):
    client_at(acme, acme.admin).post("/practice/contract-template/", {**SECTIONS, **PACKAGE})
    version = draft(acme, engagement)
    assert version.sessions == 8 and version.frequency == "monthly" and version.retention_months == 36


def test_zero_sessions_in_the_template_is_explained_and_nothing_is_saved(acme, in_practice):
    response = client_at(acme, acme.admin).post("/practice/contract-template/", {**SECTIONS, **PACKAGE, "sessions": 0})
    assert response.status_code == 422
    assert "A package has at least one session." in response.content.decode()
    with in_practice(acme):
        assert not ContractTemplate.objects.exists()


@pytest.mark.parametrize("role", ["coach", "coachee", "sponsor"])
def test_only_admins_reach_the_template(acme, role):
    assert client_at(acme, getattr(acme, role)).get("/practice/contract-template/").status_code == 404


def test_each_practice_has_its_own_template(acme, globex, in_practice):
    client_at(acme, acme.admin).post("/practice/contract-template/", {**SECTIONS, **PACKAGE, "sessions": 12})
    with in_practice(globex):
        assert contract_template().pk is None and contract_template().sessions == 6
