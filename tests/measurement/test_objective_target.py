"""Each objective needs a target on its scale before the contract is sent; an accepted contract
keeps its text, and a target arrives through an amendment."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from engagements.contracting import amendments, drafts
from engagements.contract_selectors import canonical_text, sha256_of, verify_version
from engagements.models import Objective
from tests.conftest import client_at
from tests.contracts.conftest import OBJECTIVE, accept, draft, matched_engagement, send
from tests.contracts.test_drafting import draft_form


@pytest.fixture
def engagement(acme):
    """In contracting (the measurement tests' default engagement is already active)."""
    return matched_engagement(acme)


def test_a_contract_with_an_objective_without_a_target_is_not_sent(acme, engagement, in_practice):
    version = draft(acme, engagement)
    with in_practice(acme):
        Objective.objects.filter(version=version).update(target=None)
        with pytest.raises(ValidationError) as refused:
            drafts.send_contract(version=version, actor=acme.coach, base_url="")
    assert "Give objective 1 a target from 1 to 10" in str(refused.value)


def test_the_page_puts_the_missing_target_next_to_the_field_and_keeps_the_draft(acme, engagement, in_practice):
    with in_practice(acme):
        version = drafts.draft_contract(engagement=engagement, actor=acme.coach)
    response = client_at(acme, acme.coach).post(
        f"/contracts/{version.pk}/edit/", draft_form(version, action="send", **{"objectives-0-target": ""})
    )
    page = response.content.decode()
    assert response.status_code == 422 and "Your draft is saved, but it cannot be sent yet" in page
    assert 'id="id_objectives-0-target_error">Give objective 1 a target from 1 to 10' in page
    with in_practice(acme):
        version.refresh_from_db()
        assert version.status == "draft" and version.objectives.get().description == "Lead the merged team."


def test_a_target_off_the_scale_is_refused(acme, engagement, in_practice):
    version = draft(acme, engagement)
    with in_practice(acme), pytest.raises(ValidationError, match="give a target from 1 to 10"):
        drafts.update_contract_draft(version=version, actor=acme.coach, changes={}, objectives=[{**OBJECTIVE, "target": 11}])


def test_the_target_is_part_of_the_text_accepted_and_the_pdf(acme, engagement, in_practice):
    version = send(acme, draft(acme, engagement))
    assert "   Target: 7 of 10" in version.rendered_text
    from tests.contracts.pdf_text import rendered_text

    with in_practice(acme):
        assert "7 / 10" in rendered_text(version)


def test_an_accepted_contract_without_targets_keeps_its_text_and_an_amendment_adds_them(acme, in_practice):
    engagement = matched_engagement(acme)
    version = draft(acme, engagement)
    with in_practice(acme):
        # As accepted before targets existed: sent and accepted with no target.
        Objective.objects.filter(version=version).update(target=None)
        version.refresh_from_db()
        text = canonical_text(version)
    assert "Target" not in text
    with in_practice(acme):
        from django.utils import timezone

        from engagements.contract_selectors import party_snapshot
        from engagements.models import ContractVersion

        version.snapshot, version.rendered_text = party_snapshot(version), text
        version.text_sha256, version.status, version.sent_at = sha256_of(text), ContractVersion.Status.SENT, timezone.now()
        version.save()
    for _, party in version.parties():
        accept(acme, version, party)
    with in_practice(acme):
        assert all(check.matches for check in verify_version(version))
        amendment = amendments.amend_contract(engagement=engagement, actor=acme.coach)
        assert amendment.objectives.get().target is None
        drafts.update_contract_draft(version=amendment, actor=acme.coach, changes={},
                                          objectives=[{**OBJECTIVE, "target": 8}])
    amendment = send(acme, amendment)
    assert "Target: 8 of 10" in amendment.rendered_text
    with in_practice(acme):
        version.refresh_from_db()
        assert all(check.matches for check in verify_version(version))


def test_a_target_below_the_baseline_is_refused(acme, engagement, in_practice):
    version = draft(acme, engagement)
    with in_practice(acme), pytest.raises(ValidationError, match="cannot be below the baseline"):
        drafts.update_contract_draft(
            version=version, actor=acme.coach, changes={}, objectives=[{**OBJECTIVE, "baseline": 6, "target": 4}],
        )
