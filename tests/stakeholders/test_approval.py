"""The coach approves the coachee's nominees before any is invited (issue 22): the coach confirms a
list with names, emails and groups, or declines; the coachee sees "waiting for your coach" or the
decline; no invitation, reminder or link works for a nominee not approved; only the engagement's own
coach decides; the audit trail records groups, never names or emails."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import AuditEntry
from measurement.models import Nominee
from measurement.stakeholders import links, nominations
from reminders import stakeholders
from reminders.models import NomineeMessage
from tests.conftest import client_at
from tests.stakeholders.conftest import answer, due_point, link, name

pytestmark = pytest.mark.django_db


def page_of(cast, engagement, user) -> str:
    return client_at(cast, user).get(f"/engagements/{engagement.pk}/stakeholders/").content.decode()


def test_a_named_stakeholder_waits_for_the_coach_and_is_not_invited(acme, engagement, mailoutbox):
    [peer] = name(acme, engagement, "Peers", 1, approve=False)
    point = due_point(acme, engagement)
    assert stakeholders.dispatch_nominee_messages(practice=acme.practice).sent == 0 and not mailoutbox
    with practice_context(acme.practice):
        assert peer.approval == Nominee.Approval.AWAITING
        assert not NomineeMessage.objects.filter(point=point).exists()


def test_the_coach_approves_and_an_open_point_invites_them_at_once(acme, engagement, mailoutbox):
    due_point(acme, engagement)
    [peer] = name(acme, engagement, "Peers", 1, approve=False)
    response = client_at(acme, engagement.coach).post(
        f"/engagements/{engagement.pk}/stakeholders/", {"action": "approve", "nominee": peer.pk},
    )
    assert response.status_code == 302
    assert stakeholders.dispatch_nominee_messages(practice=acme.practice).sent == 1
    assert [m.to for m in mailoutbox] == [[peer.email]]


def test_a_link_made_for_a_nominee_not_approved_answers_404(acme, engagement):
    [peer] = name(acme, engagement, "Peers", 1, approve=False)
    point = due_point(acme, engagement)
    assert answer(acme, point, peer, 7).status_code == 404
    client = Client(HTTP_HOST=acme.host)
    assert client.get(link(acme, point, peer)).status_code == 404
    with practice_context(acme.practice):
        assert not point.stakeholder_responses.exists()
        unsubscribe = f"/feedback/{links.unsubscribe_token(peer)}/unsubscribe/"
    assert client.get(unsubscribe).status_code == 404


def test_a_declined_nominee_is_never_invited_and_the_coachee_is_told(acme, engagement, mailoutbox):
    [peer] = name(acme, engagement, "Peers", 1, approve=False)
    client_at(acme, engagement.coach).post(
        f"/engagements/{engagement.pk}/stakeholders/", {"action": "decline", "nominee": peer.pk},
    )
    point = due_point(acme, engagement)
    assert stakeholders.dispatch_nominee_messages(practice=acme.practice).sent == 0
    assert answer(acme, point, peer, 7).status_code == 404
    assert "declined by your coach" in page_of(acme, engagement, engagement.coachee)


def test_the_coachee_sees_waiting_for_your_coach_against_each_unapproved_nominee(acme, engagement):
    name(acme, engagement, "Peers", 2, approve=False)
    name(acme, engagement, "Direct reports", 1)
    page = page_of(acme, engagement, engagement.coachee)
    assert page.count("waiting for your coach") == 2 and page.count("· approved") == 1
    assert "wait for your approval" not in page


def test_the_coach_sees_how_many_wait_and_a_list_to_confirm_with_name_email_and_group(acme, engagement):
    name(acme, engagement, "Peers", 2, approve=False)
    page = page_of(acme, engagement, engagement.coach)
    assert "2 stakeholders wait for your approval" in page
    assert "<td>Peers person 0</td><td>peers-0@client.example</td><td>Peers</td>" in page
    assert page.count('value="approve"') == 2 and page.count('value="decline"') == 2


@pytest.mark.parametrize("who", ["coachee2", "coach2", "admin", "sponsor"])
def test_only_the_engagement_s_own_coach_approves(acme, engagement, who):
    [peer] = name(acme, engagement, "Peers", 1, approve=False)
    response = client_at(acme, getattr(acme, who)).post(
        f"/engagements/{engagement.pk}/stakeholders/", {"action": "approve", "nominee": peer.pk},
    )
    assert response.status_code == 404
    with practice_context(acme.practice), pytest.raises(Http404):
        nominations.approve_nominee(nominee=peer, actor=getattr(acme, who))
    with practice_context(acme.practice):
        peer.refresh_from_db()
        assert peer.approval == Nominee.Approval.AWAITING


def test_another_practice_cannot_approve(acme, globex, engagement):
    [peer] = name(acme, engagement, "Peers", 1, approve=False)
    response = client_at(globex, globex.coach).post(
        f"/engagements/{engagement.pk}/stakeholders/", {"action": "approve", "nominee": peer.pk},
    )
    assert response.status_code == 404


def test_a_nominee_is_decided_once(acme, engagement):
    [peer] = name(acme, engagement, "Peers", 1)
    with practice_context(acme.practice), pytest.raises(ValidationError):
        nominations.decline_nominee(nominee=peer, actor=engagement.coach)


def test_declining_drops_an_answer_given_before_approval_was_asked_for(acme, engagement):
    """Nominees named before this change wait for the coach; one may have answered an open point."""
    [peer] = name(acme, engagement, "Peers", 1)
    point = due_point(acme, engagement)
    assert answer(acme, point, peer, 7).status_code == 200
    with practice_context(acme.practice):
        Nominee.objects.filter(pk=peer.pk).update(approval=Nominee.Approval.AWAITING)
        nominations.decline_nominee(nominee=peer, actor=engagement.coach)
        assert not point.stakeholder_responses.exists()


def test_the_audit_trail_records_groups_never_names_or_emails(acme, engagement):
    [approved] = name(acme, engagement, "Peers", 1)
    [declined] = name(acme, engagement, "Direct reports", 1, start=3, approve=False)
    with practice_context(acme.practice):
        nominations.decline_nominee(nominee=declined, actor=engagement.coach)
        entries = list(AuditEntry.objects.filter(action__startswith="stakeholder."))
    assert {e.action for e in entries} == {"stakeholder.nominated", "stakeholder.approved", "stakeholder.declined"}
    text = repr([(e.subject, e.details) for e in entries])
    for nominee in (approved, declined):
        assert nominee.name not in text and nominee.email not in text and "client.example" not in text


def test_the_page_stays_at_a_fixed_number_of_queries_with_more_to_approve(acme, engagement, django_assert_max_num_queries):
    name(acme, engagement, "Peers", 1, approve=False)
    client = client_at(acme, engagement.coach)
    client.get(f"/engagements/{engagement.pk}/stakeholders/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(f"/engagements/{engagement.pk}/stakeholders/")
    name(acme, engagement, "Direct reports", 6, approve=False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "7 stakeholders wait for your approval" in client.get(f"/engagements/{engagement.pk}/stakeholders/").content.decode()
