"""Stakeholder fixtures: acme's coachee2 and coach in an active engagement whose contract names line
manager, peers and direct reports (minimum 3 responses a group) and one objective rated by the
coachee, the coach, the sponsor and the stakeholders; helpers to name nominees, make the mid-point
fall due and answer through the nominees' links."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.test import Client

from coachhub.tenancy.context import practice_context
from engagements.contracting import drafts
from engagements.models import ContractVersion, Engagement
from measurement.models import MeasurementPoint, Nominee
from measurement.stakeholders import links, nominations
from tests.conftest import PracticeCast, client_at
from tests.contracts.conftest import OBJECTIVE, START, accept, matched_engagement, send
from tests.measurement.conftest import hold_sessions, point_of

GROUPS = ["Line manager", "Peers", "Direct reports"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stakeholder_draft(cast: PracticeCast, *, groups=GROUPS, minimum: int = 3, baseline: bool = False) -> ContractVersion:
    """A contract draft whose objective the stakeholder `groups` rate; with `baseline`, it asks for
    the stakeholders' baseline round."""
    from datetime import timedelta

    engagement = matched_engagement(cast)
    with practice_context(cast.practice):
        version = drafts.draft_contract(engagement=engagement, actor=engagement.coach)
        drafts.update_contract_draft(
            version=version, actor=engagement.coach,
            changes={"start_date": START, "end_date": START + timedelta(days=180), "sponsor": cast.sponsor,
                     "stakeholder_groups": groups, "stakeholder_min_responses": minimum, "stakeholder_baseline": baseline},
            objectives=[{**OBJECTIVE, "rated_by_stakeholders": bool(groups)}],
        )
        return ContractVersion.objects.get(pk=version.pk)


def stakeholder_engagement(cast: PracticeCast, *, minimum: int = 3, baseline: bool = False) -> Engagement:
    """Accepted by all three; with `baseline`, the contract asks for the stakeholders' baseline round."""
    version = send(cast, stakeholder_draft(cast, minimum=minimum, baseline=baseline))
    for _, party in version.parties():
        accept(cast, version, party)
    with practice_context(cast.practice):
        return Engagement.objects.select_related("coachee", "coach").get(pk=version.engagement_id)


@pytest.fixture
def engagement(acme) -> Engagement:
    return stakeholder_engagement(acme)


def name(
    cast: PracticeCast, engagement: Engagement, group: str, count: int, *, start: int = 0, approve: bool = True,
) -> list[Nominee]:
    """The coachee names `count` people in `group`; with `approve` (the usual flow), the coach approves each."""
    with practice_context(cast.practice):
        nominees = [
            nominations.nominate_stakeholder(
                engagement=engagement, actor=engagement.coachee, group=group, name=f"{group} person {n}",
                email=f"{group.replace(' ', '-').lower()}-{n}@client.example",
            )
            for n in range(start, start + count)
        ]
        if approve:
            nominees = [nominations.approve_nominee(nominee=nominee, actor=engagement.coach) for nominee in nominees]
        return nominees


def due_point(cast: PracticeCast, engagement: Engagement) -> MeasurementPoint:
    hold_sessions(cast, engagement, 3)
    point = point_of(cast, engagement)
    assert point.fell_due_at is not None
    return point


def link(cast: PracticeCast, point: MeasurementPoint, nominee: Nominee) -> str:
    with practice_context(cast.practice):
        return f"/feedback/{links.answer_token(point, nominee)}/"


def answer(cast: PracticeCast, point: MeasurementPoint, nominee: Nominee, score, comment: str = ""):
    """Answer through the nominee's link, as their browser does (no account, no login)."""
    with practice_context(cast.practice):
        objectives = [o for o in point.version.objectives.all() if o.rated_by_stakeholders]
    response = Client(HTTP_HOST=cast.host).post(
        link(cast, point, nominee), {**{f"score_{o.pk}": score for o in objectives}, "comment": comment},
    )
    return response


# --- Reading what each person sees, for the before-and-after comparisons ---------------------------------


def normalised(page: str) -> str:
    """A page without what changes on every render: the CSRF token, the CSP nonce, the charts' counter."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r"objective-chart-\d+", "objective-chart", page)  # a per-render counter
    return re.sub(r'("X-CSRFToken": "|nonce=")[^"]+"', "", page)


def read_page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return normalised(response.content.decode())


def signed_in_reader(cast, who: str):
    """A client signed in as `who`, the sign-in's own message already read (it shows once)."""
    client = client_at(cast, getattr(cast, who))
    assert client.get("/").status_code == 200
    return client


def pages_showing(client, engagement, point, who: str) -> dict[str, str]:
    """Every page and download `who` (signed in on `client`) reads the engagement's stakeholder figures
    on: the progress page, the point's page, and their dashboard (the sponsor's, its engagement page and
    its CSV; the admin's)."""
    urls = [f"/engagements/{engagement.pk}/progress/", f"/engagements/{engagement.pk}/progress/points/{point.pk}/"]
    if who == "sponsor":
        urls += ["/dashboard/sponsor/", f"/dashboard/sponsor/engagements/{engagement.pk}/", "/dashboard/sponsor/export.csv"]
    if who == "admin":
        urls += ["/practice/dashboard/"]
    return {url: read_page(client, url) for url in urls}


def report_text(cast, engagement) -> str:
    """The progress report PDF as its reader gets it, rendered now (its stored name follows the points'
    state, not the answers, so a stored copy would hide a change), as text."""
    from measurement.pdf import render_progress_pdf

    with practice_context(cast.practice):
        document = render_progress_pdf(engagement)
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=document, capture_output=True, check=True).stdout.decode()
