"""An amendment is a new version that every party accepts again; the history stays readable."""

import pytest
from django.core.exceptions import ValidationError

from engagements.contracting import answers, drafts
from engagements.models import ContractVersion, Engagement
from tests.conftest import client_at
from tests.contracts.conftest import accept, accepted_by_all, sent

pytestmark = pytest.mark.django_db


def amend(cast, engagement):
    return client_at(cast, engagement.coach).post(f"/engagements/{engagement.pk}/contract/amend/")


def test_amending_an_accepted_contract_makes_a_new_draft_copy(acme, engagement, in_practice):
    first = accepted_by_all(acme, engagement, objectives=2)
    response = amend(acme, engagement)
    with in_practice(acme):
        second = ContractVersion.objects.get(number=2)
        assert response["Location"] == f"/contracts/{second.pk}/edit/"
        assert second.status == "draft" and second.sponsor == acme.sponsor
        assert [o.description for o in second.objectives.all()] == [o.description for o in first.objectives.all()]
        assert second.section_roles == first.section_roles and second.start_date == first.start_date
        assert ContractVersion.objects.get(number=1).status == "accepted"  # in force until the amendment is


def test_every_party_accepts_the_amendment_again_and_the_old_version_is_superseded(acme, engagement, in_practice):
    accepted_by_all(acme, engagement)
    amend(acme, engagement)
    with in_practice(acme):
        second = ContractVersion.objects.get(number=2)
        drafts.update_contract_draft(version=second, actor=acme.coach, changes={"sessions": 10})
        second = drafts.send_contract(version=second, actor=acme.coach, base_url="")
    accept(acme, second, acme.coachee2)
    accept(acme, second, acme.coach)
    with in_practice(acme):
        assert ContractVersion.objects.get(number=1).status == "accepted"
    accept(acme, second, acme.sponsor)
    with in_practice(acme):
        first, second = ContractVersion.objects.get(number=1), ContractVersion.objects.get(number=2)
        assert (first.status, second.status) == ("superseded", "accepted")
        assert first.superseded_at is not None and second.sessions == 10 and first.sessions == 6
        assert first.acceptances.count() == 3 and Engagement.objects.get(pk=engagement.pk).stage == "active"


def test_the_history_of_versions_stays_readable_by_every_party(acme, engagement, in_practice):
    accepted_by_all(acme, engagement)
    amend(acme, engagement)
    with in_practice(acme):
        first = ContractVersion.objects.get(number=1)
    for user in (acme.coachee2, acme.coach, acme.sponsor, acme.admin):
        page = client_at(acme, user).get(f"/engagements/{engagement.pk}/contract/").content.decode()
        assert "Version 1" in page and "Version 2" in page, user
        assert client_at(acme, user).get(f"/contracts/{first.pk}/").status_code == 200


def test_revising_a_version_awaiting_acceptance_supersedes_it_at_once(acme, engagement, in_practice):
    first = sent(acme, engagement)
    client_at(acme, acme.sponsor).post(
        f"/contracts/{first.pk}/answer/", {"action": "changes", "comment": "Monthly, please.", "text_sha256": first.text_sha256}
    )
    amend(acme, engagement)
    with in_practice(acme):
        first.refresh_from_db()
        assert first.status == "superseded" and first.acceptances.get().comment == "Monthly, please."
        assert ContractVersion.objects.get(number=2).status == "draft"


def test_a_superseded_version_cannot_be_accepted(acme, engagement, in_practice):
    first = sent(acme, engagement)
    amend(acme, engagement)
    response = client_at(acme, acme.coachee2).post(
        f"/contracts/{first.pk}/answer/", {"action": "accept", "text_sha256": first.text_sha256}, follow=True
    )
    assert "has been replaced by a newer version" in response.content.decode()
    with in_practice(acme):
        assert not first.acceptances.exists()
        with pytest.raises(ValidationError, match="replaced by a newer version"):
            answers.accept_contract(
                version=first, party=acme.coachee2, text_sha256=first.text_sha256, ip_address=None, base_url=""
            )


def test_amending_while_a_draft_is_open_returns_that_draft(acme, engagement, in_practice):
    accepted_by_all(acme, engagement)
    amend(acme, engagement)
    amend(acme, engagement)
    with in_practice(acme):
        assert ContractVersion.objects.count() == 2


def test_only_the_coach_amends(acme, engagement, in_practice):
    accepted_by_all(acme, engagement)
    for user in (acme.coachee2, acme.sponsor, acme.admin, acme.coach2):
        assert client_at(acme, user).post(f"/engagements/{engagement.pk}/contract/amend/").status_code == 404
    with in_practice(acme):
        assert ContractVersion.objects.count() == 1
