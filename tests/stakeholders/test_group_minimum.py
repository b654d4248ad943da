"""A stakeholder group is never shown from fewer than 3 responses (issue 22): the contract template's
and a draft's minimum refuse less than 3 with a message next to the field, the database refuses it
too, and a version sent before the rule, agreed at 2, is read at 3."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coachhub.tenancy.context import practice_context
from engagements.contract_forms import ContractTemplateForm
from engagements.contracting import drafts
from engagements.models import ContractTemplate, ContractVersion
from engagements.models.contracts import STAKEHOLDER_MINIMUM_MESSAGE
from tests.conftest import client_at
from tests.stakeholders.conftest import stakeholder_draft

pytestmark = pytest.mark.django_db


def test_the_template_form_refuses_a_minimum_below_3_next_to_the_field(acme):
    with practice_context(acme.practice):
        form = ContractTemplateForm({"stakeholder_min_responses": "2"}, instance=ContractTemplate.with_defaults())
        assert not form.is_valid()
        assert STAKEHOLDER_MINIMUM_MESSAGE in form.errors["stakeholder_min_responses"]


def test_the_template_page_says_so_and_saves_nothing(acme):
    client = client_at(acme, acme.admin)
    page = client.get("/practice/contract-template/")
    assert page.status_code == 200
    response = client.post("/practice/contract-template/", {"stakeholder_min_responses": "2"})
    assert response.status_code in (200, 400, 422)
    assert "so that no one answer can be worked out" in response.content.decode()
    with practice_context(acme.practice):
        assert not ContractTemplate.objects.filter(stakeholder_min_responses__lt=3).exists()


def test_a_draft_refuses_a_minimum_below_3(acme):
    with pytest.raises(ValidationError) as error:
        stakeholder_draft(acme, minimum=2)
    assert STAKEHOLDER_MINIMUM_MESSAGE in error.value.message_dict["stakeholder_min_responses"]


def test_the_database_refuses_a_template_or_draft_minimum_below_3(acme):
    version = stakeholder_draft(acme)
    with practice_context(acme.practice):
        drafts.update_contract_template(actor=acme.admin, changes={"stakeholder_min_responses": 3})
        with transaction.atomic(), pytest.raises(IntegrityError):
            ContractTemplate.objects.update(stakeholder_min_responses=2)
        with transaction.atomic(), pytest.raises(IntegrityError):
            ContractVersion.objects.filter(pk=version.pk).update(stakeholder_min_responses=2)


def test_a_version_agreed_at_2_before_the_rule_is_read_at_3():
    assert ContractVersion(stakeholder_min_responses=2).stakeholder_minimum == 3
    assert ContractVersion(stakeholder_min_responses=5).stakeholder_minimum == 5
