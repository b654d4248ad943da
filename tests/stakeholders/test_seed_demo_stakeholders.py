"""`seed_demo`'s stakeholder feedback, in both practices: coachee@'s closed mid-point shows
"Stakeholders (n=7)" (peers and direct reports; the line manager's single answer neither shown nor
counted) with comments, on the pages and in the PDF's content; coachee3@'s open end-point has
nominees not all answered, with exactly one stakeholder reminder due now."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice
from engagements.models import Engagement
from measurement.selectors import progress_for
from reminders.models import NomineeMessage

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_both_practices_stakeholder_feedback_idempotently():
    call_command("seed_demo")
    call_command("seed_demo")
    for slug in ("acme", "globex"):
        practice = Practice.objects.get(slug=slug)
        with practice_context(practice):
            active = Engagement.objects.get(coachee__email=f"coachee@{slug}.example", stage="active")
            assert active.nominees.count() == 8
            progress = progress_for(active, None)
            mid = next(view for view in progress.points if view.point.kind == "mid")
            assert mid.point.is_closed and mid.stakeholders.label == "Stakeholders (n=7)"
            shown = {g.name for g in mid.stakeholders.groups if g.shown}
            assert shown == {"Peers", "Direct reports"}
            assert [g.text for g in mid.stakeholders.groups if g.name == "Line manager"] == ["not enough responses to show"]
            assert len(mid.stakeholders.comments) >= 2 and "Too early to tell." not in mid.stakeholders.comments
            assert not mid.point.stakeholder_responses.filter(nominee__isnull=False).exists()

            second = Engagement.objects.get(coachee__email=f"coachee3@{slug}.example")
            end = second.measurement_points.get(kind="end")
            assert not end.is_closed and 0 < end.stakeholder_responses.count() < second.nominees.count()
            due = NomineeMessage.objects.filter(state="pending", due_at__lte=timezone.now() + timezone.timedelta(minutes=1))
            assert due.count() == 1 and due.get().kind == "stakeholder_reminder" and due.get().point_id == end.pk


def test_the_demo_coachee_sees_stakeholders_on_the_progress_page():
    call_command("seed_demo")
    client = Client(HTTP_HOST="acme.localhost:8000")
    client.post("/accounts/login/", {"login": "coachee@acme.example", "password": "coachhub-demo"})
    with practice_context(Practice.objects.get(slug="acme")):
        active = Engagement.objects.get(coachee__email="coachee@acme.example", stage="active")
    page = client.get(f"/engagements/{active.pk}/progress/").content.decode()
    assert "Stakeholders (n=7)" in page and "not enough responses to show" in page
    assert "Morgan Lee" not in page and "Too early to tell." not in page


def test_the_demo_progress_report_shows_the_stakeholders_and_no_one_alone():
    import io

    from pypdf import PdfReader

    from measurement import pdf

    call_command("seed_demo")
    with practice_context(Practice.objects.get(slug="globex")):
        active = Engagement.objects.get(coachee__email="coachee@globex.example", stage="active")
        html = pdf.progress_html(active)
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.render_progress_pdf(active))).pages)
    for content in (html, " ".join(text.split())):
        assert "Stakeholders (n=7)" in content and "not enough responses to show" in content
        assert "Morgan Lee" not in content and "Too early to tell." not in content
    assert "the meetings are shorter" in " ".join(text.split())


def test_the_demo_contract_awaiting_acceptance_opens_a_baseline_round_once_accepted():
    """coachee2@'s contract asks peers and direct reports for a baseline round: accepted by all three
    (as a visitor would), the round opens at once, before the mid- and end-point."""
    from engagements.contracting.answers import accept_contract
    from engagements.models import ContractVersion

    call_command("seed_demo")
    with practice_context(Practice.objects.get(slug="acme")):
        version = ContractVersion.objects.get(coachee__email="coachee2@acme.example", status="sent")
        assert version.stakeholder_baseline and "Stakeholder baseline round" in version.rendered_text
        for _, party in version.parties():
            accept_contract(version=version, party=party, text_sha256=version.text_sha256, ip_address="192.0.2.1",
                            base_url="", notify=False)
        points = list(version.engagement.measurement_points.all())
        assert [p.kind for p in points] == ["baseline", "mid", "end"]
        assert points[0].fell_due_at is not None and points[0].closes_on > timezone.localdate()
