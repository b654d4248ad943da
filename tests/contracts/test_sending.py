"""Sending a draft: the canonical text and its SHA-256 are fixed, each party is emailed a link."""

import hashlib
import re

import pytest

from engagements.contract_selectors import canonical_text
from engagements.models import ContractVersion
from tests.conftest import client_at
from tests.contracts.conftest import draft
from tests.contracts.test_drafting import draft_form

pytestmark = pytest.mark.django_db


def test_sending_stores_the_rendered_text_and_its_sha256(acme, engagement, in_practice):
    version = draft(acme, engagement)
    response = client_at(acme, acme.coach).post(f"/contracts/{version.pk}/edit/", draft_form(
        version, sponsor=acme.sponsor.pk, action="send", **{"objectives-0-rated_by_sponsor": "on"}
    ) | {"objectives-INITIAL_FORMS": "1"})
    assert response.status_code == 302 and response["Location"] == f"/contracts/{version.pk}/"
    with in_practice(acme):
        version = ContractVersion.objects.get()
        assert version.status == "sent" and version.sent_at is not None
        assert version.text_sha256 == hashlib.sha256(version.rendered_text.encode()).hexdigest()
        assert version.rendered_text == canonical_text(version)
    text = version.rendered_text
    assert "Coaching contract, version 1" in text and "Acme Coaching" in text
    assert f"- Sponsor: {acme.sponsor.full_name} <{acme.sponsor.email}>" in text
    assert "Objective 1: Lead the merged team." in text and "Success measure: Trust score from 5 to 7." in text
    assert "8. Record keeping" in text


def test_each_other_party_gets_an_email_with_a_link_to_review(acme, engagement, mailoutbox, committed, in_practice):
    version = draft(acme, engagement)
    with committed():
        client_at(acme, acme.coach).post(f"/contracts/{version.pk}/edit/", draft_form(
            version, sponsor=acme.sponsor.pk, action="send", **{"objectives-INITIAL_FORMS": "1"}
        ))
    invitations = {m.to[0]: m for m in mailoutbox if m.subject.startswith("Please review your coaching contract")}
    assert set(invitations) == {acme.coachee2.email, acme.sponsor.email}
    link = re.search(r"https?://acme\.localhost[^/\s]*(/contracts/\d+/)", invitations[acme.sponsor.email].body).group(1)
    assert link == f"/contracts/{version.pk}/"
    assert "as sponsor" in invitations[acme.sponsor.email].body


def test_an_incomplete_draft_is_saved_but_not_sent_and_the_page_says_why(acme, engagement, in_practice):
    from engagements.contracting import drafts

    with in_practice(acme):
        version = drafts.draft_contract(engagement=engagement, actor=acme.coach)
    form = draft_form(version, start_date="", end_date="", section_confidentiality="", action="send")
    form.update({"objectives-TOTAL_FORMS": "1", "objectives-0-description": "", "objectives-0-success_measure": "",
                 "objectives-0-rated_by_coachee": "on", "objectives-0-rated_by_coach": "on", "objectives-0-baseline": "",
                 "objectives-0-target": "", "sessions": "10"})
    response = client_at(acme, acme.coach).post(f"/contracts/{version.pk}/edit/", form)
    page = response.content.decode()
    assert response.status_code == 422
    assert "Your draft is saved, but it cannot be sent yet" in page
    assert "Give the date the coaching starts." in page and "The “Confidentiality” section is empty." in page
    assert "Agree at least one objective before sending." in page
    with in_practice(acme):
        version.refresh_from_db()
        assert version.status == "draft" and version.sessions == 10


def test_an_objective_rated_by_the_sponsor_needs_a_sponsor(acme, engagement, in_practice):
    from django.core.exceptions import ValidationError

    from engagements.contracting import drafts

    version = draft(acme, engagement, sponsor=True)
    with in_practice(acme):
        drafts.update_contract_draft(version=version, actor=acme.coach, changes={"sponsor": None})
        with pytest.raises(ValidationError, match="rated by the sponsor, but this contract has no sponsor"):
            drafts.send_contract(version=version, actor=acme.coach, base_url="http://acme.localhost/")


def test_a_sent_version_is_not_sent_again(acme, engagement, in_practice):
    from django.core.exceptions import ValidationError

    from engagements.contracting import drafts

    version = draft(acme, engagement)
    with in_practice(acme):
        drafts.send_contract(version=version, actor=acme.coach, base_url="")
        with pytest.raises(ValidationError, match="already sent"):
            drafts.send_contract(version=version, actor=acme.coach, base_url="")
