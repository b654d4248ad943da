"""The acceptance hash can be checked: a page and a command re-render the text and compare."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from engagements import contract_selectors
from engagements.models import ContractVersion
from tests.conftest import client_at
from tests.contracts.conftest import accept, accepted_by_all, sent

pytestmark = pytest.mark.django_db


def test_every_acceptance_matches_its_re_rendered_text(acme, engagement, in_practice):
    version = accepted_by_all(acme, engagement)
    with in_practice(acme):
        checks = contract_selectors.verify_version(ContractVersion.objects.get(pk=version.pk))
    assert len(checks) == 3 and all(check.matches for check in checks)


def test_a_changed_text_no_longer_matches(acme, engagement, in_practice):
    version = accepted_by_all(acme, engagement)
    with in_practice(acme):
        version = ContractVersion.objects.get(pk=version.pk)
        version.section_confidentiality += " Except for the sponsor."  # as if the row had been tampered with
        assert not any(check.matches for check in contract_selectors.verify_version(version))


def test_a_name_changed_later_does_not_change_the_accepted_text(acme, engagement, in_practice):
    version = accepted_by_all(acme, engagement)
    acme.coachee2.full_name = "Sophie Lin-Hart"
    acme.coachee2.save()
    with in_practice(acme):
        assert all(check.matches for check in contract_selectors.verify_version(ContractVersion.objects.get(pk=version.pk)))


def test_the_verification_page_says_match_for_each_party(acme, engagement):
    version = accepted_by_all(acme, engagement)
    page = client_at(acme, acme.sponsor).get(f"/contracts/{version.pk}/verify/").content.decode()
    assert page.count("Matches") == 3 and "Does not match" not in page


def test_the_verification_page_is_404_for_non_parties(acme, engagement):
    version = sent(acme, engagement, sponsor=False)
    assert client_at(acme, acme.sponsor).get(f"/contracts/{version.pk}/verify/").status_code == 404
    assert client_at(acme, acme.admin).get(f"/contracts/{version.pk}/verify/").status_code == 200


def test_the_command_reports_a_match_per_acceptance(acme, globex, engagement):
    accepted_by_all(acme, engagement)
    out = StringIO()
    call_command("verify_contract_hashes", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("acme ")]
    assert len(lines) == 3 and all(line.endswith("match") for line in lines)
    assert "3 answer(s) checked, 0 mismatch(es)." in out.getvalue()


def test_the_command_reports_a_mismatch_and_fails(acme, engagement, monkeypatch):
    version = sent(acme, engagement, sponsor=False)
    accept(acme, version, acme.coachee2)
    original = contract_selectors.canonical_text
    monkeypatch.setattr(contract_selectors, "canonical_text", lambda v, o=None: original(v, o) + "A clause added later.\n")
    out = StringIO()
    with pytest.raises(CommandError, match="1 answer\\(s\\) checked, 1 mismatch"):
        call_command("verify_contract_hashes", "--practice", "acme", stdout=out)
    assert "MISMATCH" in out.getvalue()
