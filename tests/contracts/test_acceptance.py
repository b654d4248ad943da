"""Each party accepts the exact text they saw; when all have, the engagement is active."""

import pytest
from django.core.exceptions import ValidationError

from coachhub.tenancy.models import AuditEntry
from engagements.contracting import answers
from engagements.models import Acceptance, ContractVersion, Engagement
from tests.conftest import client_at
from tests.contracts.conftest import accept, other_sponsor, sent

pytestmark = pytest.mark.django_db


def answer(cast, user, version, **data):
    data.setdefault("text_sha256", version.text_sha256)
    return client_at(cast, user).post(f"/contracts/{version.pk}/answer/", data, REMOTE_ADDR="198.51.100.23")


def test_the_review_page_shows_the_contract_and_the_answer_buttons(acme, engagement):
    version = sent(acme, engagement)
    page = client_at(acme, acme.coachee2).get(f"/contracts/{version.pk}/").content.decode()
    assert "I accept this contract" in page and "Ask for changes" in page
    assert version.text_sha256 in page and "Objective number 1" in page


def test_an_acceptance_records_the_person_time_address_and_hash_of_the_text(acme, engagement, in_practice):
    version = sent(acme, engagement)
    response = answer(acme, acme.coachee2, version, action="accept")
    assert response.status_code == 302
    with in_practice(acme):
        acceptance = Acceptance.objects.get()
        assert acceptance.party == acme.coachee2 and acceptance.role == "coachee"
        assert acceptance.decision == "accepted" and acceptance.ip_address == "198.51.100.23"
        assert acceptance.text_sha256 == version.text_sha256 and acceptance.decided_at is not None
        assert AuditEntry.objects.filter(action="contract.accepted", actor=acme.coachee2).exists()
    page = client_at(acme, acme.coachee2).get(f"/contracts/{version.pk}/").content.decode()
    assert "You accepted this version" in page and "198.51.100.23" in page


def test_with_a_sponsor_the_contract_is_three_way(acme, engagement, in_practice):
    version = sent(acme, engagement, sponsor=True)
    accept(acme, version, acme.coachee2)
    accept(acme, version, acme.coach)
    with in_practice(acme):
        version.refresh_from_db()
        assert version.status == "sent"
        assert Engagement.objects.get(pk=engagement.pk).stage == "contracting"
    accept(acme, version, acme.sponsor)
    with in_practice(acme):
        version.refresh_from_db()
        assert version.status == "accepted"
        assert {a.role for a in version.acceptances.all()} == {"coachee", "coach", "sponsor"}


def test_when_every_party_has_accepted_the_engagement_is_active(acme, engagement, in_practice, mailoutbox, committed):
    version = sent(acme, engagement, sponsor=False)
    accept(acme, version, acme.coach)
    with committed():
        response = answer(acme, acme.coachee2, version, action="accept")
    assert response.status_code == 302
    with in_practice(acme):
        version.refresh_from_db()
        engagement.refresh_from_db()
        assert version.status == "accepted" and version.accepted_at is not None
        assert engagement.stage == "active"
    assert {m.to[0] for m in mailoutbox if "accepted by everyone" in m.subject} == {acme.coach.email, acme.coachee2.email}


def test_the_engagement_takes_the_sponsor_of_its_accepted_contract(acme, engagement, in_practice):
    version = sent(acme, engagement, sponsor=True)
    for party in (acme.coachee2, acme.coach, acme.sponsor):
        accept(acme, version, party)
    with in_practice(acme):
        engagement.refresh_from_db()
        assert engagement.sponsor == acme.sponsor and engagement.client_organisation == acme.organisation


def test_accepting_twice_changes_nothing_and_says_so(acme, engagement, in_practice):
    version = sent(acme, engagement)
    answer(acme, acme.coachee2, version, action="accept")
    response = client_at(acme, acme.coachee2).post(
        f"/contracts/{version.pk}/answer/", {"action": "accept", "text_sha256": version.text_sha256}, follow=True
    )
    assert "You already accepted version 1" in response.content.decode()
    with in_practice(acme):
        assert Acceptance.objects.count() == 1


def test_a_hash_that_is_not_the_texts_is_refused_and_nothing_recorded(acme, engagement, in_practice):
    version = sent(acme, engagement)
    response = client_at(acme, acme.coachee2).post(
        f"/contracts/{version.pk}/answer/", {"action": "accept", "text_sha256": "0" * 64}, follow=True
    )
    assert response.status_code == 200
    assert "not the text you reviewed" in response.content.decode()
    with in_practice(acme):
        assert not Acceptance.objects.exists()


def test_a_malformed_hash_asks_to_reload(acme, engagement, in_practice):
    version = sent(acme, engagement)
    response = answer(acme, acme.coachee2, version, action="accept", text_sha256="<script>")
    assert response.status_code == 422 and "please reload it" in response.content.decode()


def test_a_draft_cannot_be_accepted(acme, engagement, in_practice):
    from tests.contracts.conftest import draft

    version = draft(acme, engagement)
    with in_practice(acme), pytest.raises(ValidationError, match="still being drafted"):
        answers.accept_contract(version=version, party=acme.coachee2, text_sha256="a" * 64, ip_address=None, base_url="")


@pytest.mark.parametrize("who", ["coach2", "coachee", "admin", "other_sponsor"])
def test_someone_who_is_not_a_party_gets_404_when_accepting(acme, engagement, in_practice, who):
    version = sent(acme, engagement)
    user = other_sponsor(acme) if who == "other_sponsor" else getattr(acme, who)
    assert answer(acme, user, version, action="accept").status_code == 404
    with in_practice(acme):
        assert not Acceptance.objects.exists()
        with pytest.raises(ContractVersion.DoesNotExist):
            answers.accept_contract(version=version, party=user, text_sha256=version.text_sha256, ip_address=None, base_url="")


def test_a_party_can_ask_for_changes_with_a_comment_and_the_coach_is_told(acme, engagement, in_practice, mailoutbox, committed):
    version = sent(acme, engagement)
    with committed():
        response = answer(acme, acme.sponsor, version, action="changes", comment="Add a third objective on hiring.")
    assert response.status_code == 302
    with in_practice(acme):
        request = Acceptance.objects.get()
        assert request.decision == "changes_requested" and request.comment == "Add a third objective on hiring."
    message = next(m for m in mailoutbox if "asked for changes" in m.subject)
    assert message.to == [acme.coach.email] and "Add a third objective on hiring." in message.body


def test_asking_for_changes_needs_a_comment(acme, engagement, in_practice):
    version = sent(acme, engagement)
    response = answer(acme, acme.coachee2, version, action="changes", comment="  ")
    assert response.status_code == 422 and "Say what you would like changed." in response.content.decode()
    with in_practice(acme):
        assert not Acceptance.objects.exists()


def test_after_asking_for_changes_the_same_version_cannot_be_accepted(acme, engagement, in_practice):
    version = sent(acme, engagement)
    answer(acme, acme.coachee2, version, action="changes", comment="Shorter sessions, please.")
    response = client_at(acme, acme.coachee2).post(
        f"/contracts/{version.pk}/answer/", {"action": "accept", "text_sha256": version.text_sha256}, follow=True
    )
    assert "the coach will send a revised version" in response.content.decode()
    with in_practice(acme):
        assert Acceptance.objects.get().decision == "changes_requested"


def test_the_home_page_links_to_contracts_awaiting_the_person(acme, engagement):
    version = sent(acme, engagement)
    for user in (acme.coachee2, acme.sponsor, acme.coach):
        page = client_at(acme, user).get("/").content.decode()
        assert f'href="/contracts/{version.pk}/"' in page, user
    accept(acme, version, acme.sponsor)
    assert f'href="/contracts/{version.pk}/"' not in client_at(acme, acme.sponsor).get("/").content.decode()
    assert f'href="/contracts/{version.pk}/"' not in client_at(acme, acme.coachee).get("/").content.decode()



def test_a_former_sponsor_is_not_asked_for_an_answer(acme, engagement, in_practice):
    """A sponsor who no longer sponsors for the contract's organisation is no party to answer it: no
    "awaiting your answer" on their home page or the contracts page (access.versions_to_answer)."""
    from coachhub.tenancy.models import ClientOrganisation, Membership, Role
    from coachhub.tenancy.viewers import Viewer
    from engagements.contract_selectors import awaiting_acceptance_by

    version = sent(acme, engagement)
    with in_practice(acme):
        assert list(awaiting_acceptance_by(Viewer.of(acme.sponsor))) == [version]
        elsewhere = ClientOrganisation.objects.create(name="Elsewhere Ltd")
        Membership.objects.filter(user=acme.sponsor, role=Role.SPONSOR).update(client_organisation=elsewhere)
        assert not awaiting_acceptance_by(Viewer.of(acme.sponsor)).exists()
    client = client_at(acme, acme.sponsor)
    for url in ("/", "/contracts/"):
        assert f'href="/contracts/{version.pk}/"' not in client.get(url).content.decode(), url
