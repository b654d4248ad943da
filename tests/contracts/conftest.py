"""Contracting fixtures: an engagement in contracting (acme's coachee2 matched with coach), and
helpers that take a contract through the services, as the pages do."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from coachhub.accounts.models import User
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Membership, Role
from engagements.contracting import answers, drafts
from engagements.models import ContractVersion, Engagement
from tests.conftest import PracticeCast, make_user

BASE_URL = "http://acme.localhost/"
START = date(2027, 1, 11)

OBJECTIVE = {
    "description": "Build trust quickly in the newly merged team.",
    "success_measure": "Team pulse survey: trust score up from 5 to 7.",
    "rated_by_coachee": True, "rated_by_coach": True, "rated_by_sponsor": True, "baseline": 4, "target": 7,
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Contract PDFs are stored under a throwaway MEDIA_ROOT, never the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def matched_engagement(cast: PracticeCast, coachee: User | None = None, coach: User | None = None) -> Engagement:
    with practice_context(cast.practice):
        coach = coach or cast.coach
        return Engagement.objects.create(
            coachee=coachee or cast.coachee2, coach=coach, preferred_coach=coach, stage=Engagement.Stage.CONTRACTING,
            matched_at=timezone.now(), objectives="Lead a newly merged team.",
        )


@pytest.fixture
def engagement(acme) -> Engagement:
    return matched_engagement(acme)


def draft(cast: PracticeCast, engagement: Engagement, *, sponsor: bool = True, objectives: int = 1,
          changes: dict | None = None) -> ContractVersion:
    """A complete draft: dates, the sponsor (unless `sponsor` is off), `objectives` objectives."""
    with practice_context(cast.practice):
        version = drafts.draft_contract(engagement=engagement, actor=engagement.coach)
        drafts.update_contract_draft(
            version=version, actor=engagement.coach,
            changes={"start_date": START, "end_date": START + timedelta(days=180),
                     "sponsor": cast.sponsor if sponsor else None, **(changes or {})},
            objectives=[{**OBJECTIVE, "rated_by_sponsor": sponsor, "description": f"Objective number {n}"}
                        for n in range(1, objectives + 1)],
        )
        return ContractVersion.objects.get(pk=version.pk)


def send(cast: PracticeCast, version: ContractVersion) -> ContractVersion:
    with practice_context(cast.practice):
        return drafts.send_contract(version=version, actor=version.coach, base_url=BASE_URL)


def accept(cast: PracticeCast, version: ContractVersion, party: User, ip: str = "203.0.113.7"):
    with practice_context(cast.practice):
        return answers.accept_contract(
            version=version, party=party, text_sha256=version.text_sha256, ip_address=ip, base_url=BASE_URL
        )


def sent(cast: PracticeCast, engagement: Engagement, **options) -> ContractVersion:
    return send(cast, draft(cast, engagement, **options))


def accepted_by_all(cast: PracticeCast, engagement: Engagement, **options) -> ContractVersion:
    version = sent(cast, engagement, **options)
    for _, party in version.parties():
        accept(cast, version, party)
    with practice_context(cast.practice):
        return ContractVersion.objects.get(pk=version.pk)


def other_sponsor(cast: PracticeCast) -> User:
    """A sponsor of the same practice and organisation who is not a party."""
    with practice_context(cast.practice):
        user = make_user(f"sponsor2@{cast.practice.slug}.test", "Second Sponsor")
        Membership.objects.create(user=user, role=Role.SPONSOR, client_organisation=cast.organisation)
    return user
