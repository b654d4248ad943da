"""The lock order (engagements/locking.py): a party's last acceptance racing the coach's amendment,
in two threads with their own connections and real transactions, released together by a barrier.

Before the order was one rule, acceptance locked the version then the engagement and amendment the
engagement then the version: PostgreSQL found the deadlock and one of them failed (a 500). Now both
queue on the engagement and the second sees what the first committed:
- the amendment first: the version awaiting acceptance is superseded, and the acceptance is refused
  with the domain's message (nothing recorded);
- the acceptance first: the contract comes into force, and the amendment is a new draft amending
  the accepted version, which stays in force until the amendment is accepted.
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from coachhub.tenancy.context import practice_context
from engagements.contracting import amendments, answers, versions
from engagements.models import Acceptance, ContractVersion, Engagement
from tests.contracts.conftest import BASE_URL, accept, matched_engagement, sent

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 12


@pytest.fixture(autouse=True)
def _no_pdf_rendering(monkeypatch):
    """Every acceptance queues a contract PDF; rendering dozens of them says nothing about locks."""
    monkeypatch.setattr(versions, "render_pdf_later", lambda version: None)


def race(cast, version: ContractVersion) -> dict[str, object]:
    """The coach's last acceptance and the coach's amendment, at once. What each returned or raised."""
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def run(name: str, work) -> None:
        try:
            with practice_context(cast.practice):
                barrier.wait(timeout=10)
                outcome[name] = work()
        except Exception as error:  # noqa: BLE001 - the test asserts exactly what came back
            outcome[name] = error
        finally:
            connection.close()

    def last_acceptance():
        return answers.accept_contract(
            version=version, party=version.coach, text_sha256=version.text_sha256, ip_address="203.0.113.7",
            base_url=BASE_URL, notify=False,
        )

    def amendment():
        return amendments.amend_contract(engagement=version.engagement, actor=version.coach)

    threads = [threading.Thread(target=run, args=("accept", last_acceptance)),
               threading.Thread(target=run, args=("amend", amendment))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting: the race hung"
    return outcome


def awaiting_the_coach(cast) -> ContractVersion:
    """A contract sent for acceptance that the coachee and the sponsor have accepted: the coach's is the last."""
    version = sent(cast, matched_engagement(cast))
    accept(cast, version, version.coachee)
    accept(cast, version, version.sponsor)
    with practice_context(cast.practice):
        return ContractVersion.objects.select_related("engagement", "coach").get(pk=version.pk)


def test_the_last_acceptance_racing_an_amendment_never_deadlocks_and_one_wins_cleanly(acme):
    seen = set()
    for _ in range(ROUNDS):
        version = awaiting_the_coach(acme)
        outcome = race(acme, version)
        amendment = outcome["amend"]
        assert isinstance(amendment, ContractVersion), f"the amendment failed: {amendment!r}"
        with practice_context(acme.practice):
            engagement = Engagement.objects.get(pk=version.engagement_id)
            version.refresh_from_db()
            amendment.refresh_from_db()
            numbered = list(engagement.contract_versions.order_by("number").values_list("number", "status"))
            coach_answered = Acceptance.objects.filter(version=version, party=version.coach).exists()
        assert amendment.status == ContractVersion.Status.DRAFT and amendment.number == version.number + 1
        if isinstance(outcome["accept"], ValidationError):
            # The amendment went first: the version awaiting acceptance is gone, and the coach is told.
            seen.add("amendment first")
            assert "has been replaced by a newer version" in outcome["accept"].messages[0]
            assert version.status == ContractVersion.Status.SUPERSEDED and not coach_answered
            assert engagement.stage == Engagement.Stage.CONTRACTING
            assert numbered == [(1, "superseded"), (2, "draft")]
        else:
            # The acceptance went first: the contract is in force, the amendment waits to be sent.
            seen.add("acceptance first")
            answer = outcome["accept"]
            assert isinstance(answer, answers.Answer), f"the acceptance failed: {answer!r}"
            assert answer.fully_accepted and coach_answered
            assert version.status == ContractVersion.Status.ACCEPTED
            assert engagement.stage == Engagement.Stage.ACTIVE
            assert numbered == [(1, "accepted"), (2, "draft")]
    assert seen  # which order won each round is the scheduler's choice; every round was one of the two
