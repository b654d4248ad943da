"""The coach drafts the contract with the coachee: package, sponsor, sections, objectives."""

import pytest

from coachhub.tenancy.models import AuditEntry
from engagements.contracting import drafts
from engagements.models import ContractVersion, Objective
from tests.conftest import client_at
from tests.contracts.conftest import draft, matched_engagement

pytestmark = pytest.mark.django_db


def draft_form(version, **overrides) -> dict:
    """The edit page's fields as a browser posts them, with one objective."""
    data = {
        "sessions": version.sessions, "frequency": version.frequency, "session_minutes": version.session_minutes,
        "start_date": "2027-01-11", "end_date": "2027-07-11",
        "cancellation_notice_hours": version.cancellation_notice_hours, "retention_months": version.retention_months,
        "sponsor": "", "client_organisation": "",
        **{f"section_{key}": text for key, _, text in version.sections()},
        "objectives-TOTAL_FORMS": "1", "objectives-INITIAL_FORMS": "0",
        "objectives-0-description": "Lead the merged team.", "objectives-0-success_measure": "Trust score from 5 to 7.",
        "objectives-0-rated_by_coachee": "on", "objectives-0-rated_by_coach": "on", "objectives-0-baseline": "4",
        "objectives-0-target": "7",
        "action": "save",
    }
    data.update(overrides)
    return data


@pytest.fixture
def fresh(acme, engagement, in_practice):
    with in_practice(acme):
        return drafts.draft_contract(engagement=engagement, actor=acme.coach)


def test_drafting_copies_the_template_and_the_coachees_organisation(acme, engagement, in_practice):
    response = client_at(acme, acme.coach).post(f"/engagements/{engagement.pk}/contract/draft/")
    with in_practice(acme):
        version = ContractVersion.objects.get()
        assert response["Location"] == f"/contracts/{version.pk}/edit/"
        assert version.number == 1 and version.status == "draft"
        assert (version.coachee, version.coach) == (acme.coachee2, acme.coach)
        assert version.client_organisation == acme.organisation
        assert all(text for _, _, text in version.sections())
        assert AuditEntry.objects.filter(action="contract.drafted").exists()


def test_drafting_twice_gives_the_same_draft(acme, engagement, in_practice):
    client = client_at(acme, acme.coach)
    client.post(f"/engagements/{engagement.pk}/contract/draft/")
    client.post(f"/engagements/{engagement.pk}/contract/draft/")
    with in_practice(acme):
        assert ContractVersion.objects.count() == 1


def test_only_the_engagements_coach_drafts(acme, engagement, in_practice):
    for user in (acme.coach2, acme.coachee2, acme.admin, acme.sponsor):
        assert client_at(acme, user).post(f"/engagements/{engagement.pk}/contract/draft/").status_code == 404
    with in_practice(acme):
        assert not ContractVersion.objects.exists()


def test_the_coach_saves_package_sponsor_sections_and_objectives(acme, fresh, in_practice):
    response = client_at(acme, acme.coach).post(f"/contracts/{fresh.pk}/edit/", draft_form(
        fresh, sponsor=acme.sponsor.pk, client_organisation=acme.organisation.pk, sessions=8,
        section_roles="Coach asks; coachee decides.", **{
            "objectives-0-rated_by_sponsor": "on", "objectives-TOTAL_FORMS": "2",
            "objectives-1-description": "Raise problems early.", "objectives-1-success_measure": "Fewer escalations.",
            "objectives-1-rated_by_coach": "on", "objectives-1-baseline": "3",
        },
    ))
    assert response.status_code == 302
    with in_practice(acme):
        version = ContractVersion.objects.get()
        assert version.sessions == 8 and version.sponsor == acme.sponsor
        assert version.section_roles == "Coach asks; coachee decides."
        objectives = list(version.objectives.all())
        assert [(o.position, o.description, o.raters, o.baseline) for o in objectives] == [
            (1, "Lead the merged team.", ["coachee", "coach", "sponsor"], 4),
            (2, "Raise problems early.", ["coach"], 3),
        ]


def test_objectives_can_be_removed(acme, engagement, in_practice):
    version = draft(acme, engagement, objectives=2)
    response = client_at(acme, acme.coach).post(f"/contracts/{version.pk}/edit/", draft_form(version, **{
        "objectives-TOTAL_FORMS": "2", "objectives-INITIAL_FORMS": "2",
        "objectives-1-description": "Second", "objectives-1-success_measure": "Measured.",
        "objectives-1-rated_by_coach": "on", "objectives-1-baseline": "2", "objectives-1-DELETE": "on",
    }))
    assert response.status_code == 302
    with in_practice(acme):
        assert list(Objective.objects.values_list("description", flat=True)) == ["Lead the merged team."]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"sessions": "0"}, "A package has at least one session."),
    ({"end_date": "2027-01-01"}, "The end date must be after the start date."),
    ({"objectives-0-success_measure": ""}, "Say how success will be measured."),
    ({"objectives-0-description": ""}, "Describe the objective."),
    ({"objectives-0-rated_by_coachee": "", "objectives-0-rated_by_coach": ""}, "Choose who rates it."),
    ({"objectives-0-baseline": "11"}, "Select a valid choice."),
    ({"section_commitment": "x" * 10_001}, "Ensure this value has at most 10000 characters"),
])
def test_bad_draft_input_is_explained_next_to_the_field_and_nothing_is_saved(acme, fresh, in_practice, overrides, message):
    response = client_at(acme, acme.coach).post(f"/contracts/{fresh.pk}/edit/", draft_form(fresh, **overrides))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert 'class="field-error"' in response.content.decode() or 'class="form-errors"' in response.content.decode()
    with in_practice(acme):
        version = ContractVersion.objects.get()
        assert version.start_date is None and not version.objectives.exists()


def test_the_service_refuses_end_before_start_and_an_unmeasured_objective(acme, fresh, in_practice):
    from datetime import date

    from django.core.exceptions import ValidationError

    with in_practice(acme), pytest.raises(ValidationError) as refused:
        drafts.update_contract_draft(
            version=fresh, actor=acme.coach, changes={"start_date": date(2027, 2, 1), "end_date": date(2027, 1, 1)},
            objectives=[{"description": "Grow", "success_measure": "", "rated_by_coach": True, "baseline": 3}],
        )
    assert refused.value.message_dict["end_date"] == ["The end date must be after the start date."]
    assert "Objective 1: say how success will be measured." in refused.value.message_dict["objectives"]


def test_html_and_script_in_section_text_are_shown_escaped(acme, fresh, in_practice):
    script = '<script>alert("x")</script><b>bold</b>'
    client = client_at(acme, acme.coach)
    assert client.post(f"/contracts/{fresh.pk}/edit/", draft_form(fresh, section_feedback=script)).status_code == 302
    page = client.get(f"/contracts/{fresh.pk}/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script>alert" not in page and "<b>bold</b>" not in page


def test_the_sponsor_must_be_a_sponsor_of_the_practice(acme, fresh, in_practice):
    response = client_at(acme, acme.coach).post(f"/contracts/{fresh.pk}/edit/", draft_form(fresh, sponsor=acme.coach2.pk))
    assert "Select a valid choice" in response.content.decode()


def test_another_coach_cannot_open_the_draft(acme, fresh):
    assert client_at(acme, acme.coach2).get(f"/contracts/{fresh.pk}/edit/").status_code == 404
    assert client_at(acme, acme.coach2).get(f"/contracts/{fresh.pk}/").status_code == 404


def test_a_draft_needs_a_matched_engagement(acme, in_practice):
    from coachhub.tenancy.context import practice_context
    from engagements.models import Engagement

    with practice_context(acme.practice):
        enquiry = Engagement.objects.create(coachee=acme.coachee, objectives="Grow.")
    assert client_at(acme, acme.coach).post(f"/engagements/{enquiry.pk}/contract/draft/").status_code == 404
    active = matched_engagement(acme, coachee=acme.coachee)
    with practice_context(acme.practice):
        Engagement.objects.filter(pk=active.pk).update(stage="completed")
    response = client_at(acme, acme.coach).post(f"/engagements/{active.pk}/contract/draft/", follow=True)
    assert "there is no contract to work on" in response.content.decode()
