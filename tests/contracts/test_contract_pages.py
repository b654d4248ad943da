"""The contract pages: what each viewer sees, and query counts that do not grow with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements.contracting import amendments
from tests.conftest import client_at
from tests.contracts.conftest import (
    accept,
    accepted_by_all,
    draft,
    matched_engagement,
    send,
    sent,
)

pytestmark = pytest.mark.django_db


def queries(client, path: str) -> int:
    client.get(path)  # warm: sessions, caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_version_page_takes_as_many_queries_for_twelve_objectives_as_for_one(acme, engagement, django_assert_max_num_queries):
    small = sent(acme, engagement, objectives=1)
    accept(acme, small, acme.coach)
    client = client_at(acme, acme.sponsor)
    baseline = queries(client, f"/contracts/{small.pk}/")
    other = matched_engagement(acme, coachee=acme.coachee)
    large = sent(acme, other, objectives=12)
    for party in (acme.coach, acme.coachee):
        accept(acme, large, party)
    client.get(f"/contracts/{large.pk}/")
    with django_assert_max_num_queries(baseline):
        client.get(f"/contracts/{large.pk}/")


def test_the_engagement_page_takes_as_many_queries_for_many_versions_as_for_one(acme, engagement, in_practice, django_assert_max_num_queries):
    accepted_by_all(acme, engagement)
    client = client_at(acme, acme.coachee2)
    baseline = queries(client, f"/engagements/{engagement.pk}/contract/")
    for _ in range(3):
        with in_practice(acme):
            amendment = amendments.amend_contract(engagement=engagement, actor=acme.coach)
        amendment = send(acme, amendment)
        for _, party in amendment.parties():
            accept(acme, amendment, party)
    with django_assert_max_num_queries(baseline):
        page = client.get(f"/engagements/{engagement.pk}/contract/").content.decode()
    assert "Version 4" in page


def test_the_contracts_list_takes_as_many_queries_for_many_engagements_as_for_one(acme, engagement, django_assert_max_num_queries):
    sent(acme, engagement)
    client = client_at(acme, acme.admin)
    baseline = queries(client, "/contracts/")
    for coachee in (acme.coachee, acme.coach2, acme.sponsor):
        sent(acme, matched_engagement(acme, coachee=coachee))
    with django_assert_max_num_queries(baseline):
        client.get("/contracts/")


def test_the_edit_page_takes_as_many_queries_for_many_objectives_as_for_one(acme, engagement, django_assert_max_num_queries):
    small = draft(acme, engagement, objectives=1)
    client = client_at(acme, acme.coach)
    baseline = queries(client, f"/contracts/{small.pk}/edit/")
    large = draft(acme, matched_engagement(acme, coachee=acme.coachee), objectives=12)
    client.get(f"/contracts/{large.pk}/edit/")
    with django_assert_max_num_queries(baseline):
        client.get(f"/contracts/{large.pk}/edit/")


def test_the_home_page_takes_as_many_queries_for_many_awaiting_contracts_as_for_one(acme, engagement, django_assert_max_num_queries):
    sent(acme, engagement)
    client = client_at(acme, acme.sponsor)
    baseline = queries(client, "/")
    for coachee in (acme.coachee, acme.coach2, acme.admin):
        # The sponsor's own organisation: a sponsor answers only for the organisation they sponsor for.
        sent(acme, matched_engagement(acme, coachee=coachee), changes={"client_organisation": acme.organisation})
    with django_assert_max_num_queries(baseline):
        page = client.get("/").content.decode()
    assert page.count("Review the contract for") == 4


def test_a_coachee_sees_their_contract_in_the_list_and_not_others(acme, engagement):
    mine = sent(acme, engagement)
    other = sent(acme, matched_engagement(acme, coachee=acme.coachee))
    page = client_at(acme, acme.coachee2).get("/contracts/").content.decode()
    assert f"/contracts/{mine.pk}/" in page and f"/contracts/{other.pk}/" not in page
    assert "Awaiting your answer" in page


def test_the_exact_text_accepted_is_on_the_review_page(acme, engagement):
    version = sent(acme, engagement)
    page = client_at(acme, acme.coachee2).get(f"/contracts/{version.pk}/").content.decode()
    assert "Coaching contract, version 1" in page and version.text_sha256 in page


def test_the_coach_page_guides_from_draft_to_amendment(acme, engagement):
    client = client_at(acme, acme.coach)
    assert "Draft the contract" in client.get(f"/engagements/{engagement.pk}/contract/").content.decode()
    accepted_by_all(acme, engagement)
    page = client.get(f"/engagements/{engagement.pk}/contract/").content.decode()
    assert "Amend the contract" in page and "Accepted" in page
