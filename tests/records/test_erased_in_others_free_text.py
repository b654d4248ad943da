"""Erasure: where others' free text in the erased person's own engagements names them (full name or email,
any case, whole words), it says their label instead: a sponsor's rating comment, the coach's comment on a
point, session summaries and goals, action items, stakeholders' comments. Text elsewhere is left alone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from measurement.models import MeasurementPoint, Rating, StakeholderResponse
from records.erasure import erase_person
from records.models import ErasureRequest
from sessions.models import ActionItem, CoachingSession
from tests.records.conftest import coached

pytestmark = pytest.mark.django_db


def erased(cast, person) -> str:
    with practice_context(cast.practice):
        erase_person(person=person, actor=cast.admin)
        return ErasureRequest.objects.get(person=person).label


def sponsors_comments(engagement):
    return Rating.objects.filter(point__engagement=engagement, role="sponsor").values_list("comment", flat=True)


def test_a_sponsors_comment_naming_the_erased_coachee_says_their_label(acme):
    state = coached(acme)
    name, email = acme.coachee2.full_name, acme.coachee2.email
    with practice_context(acme.practice):
        Rating.objects.filter(point__engagement=state.main, role="sponsor").update(
            comment=f"{name.upper()} chaired the review; ask {email} or {name.lower()}.",
        )
    label = erased(acme, acme.coachee2)
    with practice_context(acme.practice):
        comments = set(sponsors_comments(state.main))
    assert comments == {f"{label} chaired the review; ask {label} or {label}."}


def test_only_whole_words_are_replaced(acme):
    state = coached(acme)
    name = acme.coachee2.full_name
    with practice_context(acme.practice):
        Rating.objects.filter(point__engagement=state.main, role="sponsor").update(
            comment=f"{name}son and x{name}: not them.",
        )
    erased(acme, acme.coachee2)
    with practice_context(acme.practice):
        comments = set(sponsors_comments(state.main))
    assert comments == {f"{name}son and x{name}: not them."}


def test_every_free_text_field_of_their_engagements_says_the_label(acme):
    state = coached(acme)
    name = acme.coach.full_name  # the coach is erased: the coachee's and sponsor's words name them
    with practice_context(acme.practice):
        session = CoachingSession.objects.filter(engagement=state.main).order_by("number").first()
        CoachingSession.objects.filter(pk=session.pk).update(
            summary=f"Agreed with {name}.", goals=f"Prepare for {name}.",
        )
        ActionItem.objects.create(session=session, engagement=state.main, text=f"Send {name} the plan")
        point = MeasurementPoint.objects.get(engagement=state.main, kind="mid")
        Rating.objects.filter(point=point, role="coachee").update(comment=f"{name} pushed me.")
        end_point = MeasurementPoint.objects.get(engagement=state.main, kind="end")  # open: its answers not sealed yet
        StakeholderResponse.objects.create(point=end_point, group="Peers", comment=f"Since working with {name}, calmer.")
    label = erased(acme, acme.coach)
    with practice_context(acme.practice):
        session.refresh_from_db()
        assert (session.summary, session.goals) == (f"Agreed with {label}.", f"Prepare for {label}.")
        assert ActionItem.objects.get(session=session).text == f"Send {label} the plan"
        assert Rating.objects.get(point=point, role="coachee", objective__position=1).comment == f"{label} pushed me."
        assert StakeholderResponse.objects.get(point=end_point).comment == f"Since working with {label}, calmer."


def test_text_in_engagements_that_are_not_theirs_is_left_alone(acme):
    state = coached(acme)
    name = acme.coachee2.full_name
    with practice_context(acme.practice):
        CoachingSession.objects.filter(engagement=state.other).update(summary=f"Compared notes with {name}.")
    erased(acme, acme.coachee2)
    with practice_context(acme.practice):
        summaries = set(CoachingSession.objects.filter(engagement=state.other).values_list("summary", flat=True))
    assert summaries == {f"Compared notes with {name}."}


def test_a_sealed_stakeholder_comment_naming_them_is_erased_not_rewritten(acme):
    state = coached(acme)
    name = acme.coach.full_name
    with practice_context(acme.practice):
        point = MeasurementPoint.objects.get(engagement=state.main, kind="end")
        StakeholderResponse.objects.create(point=point, group="Peers", comment=f"Since working with {name}, calmer.")
        StakeholderResponse.objects.create(point=point, group="Peers", comment="Calmer.")
        MeasurementPoint.objects.filter(pk=point.pk).update(closed_at=timezone.now(), status="achieved")
    erased(acme, acme.coach)
    with practice_context(acme.practice):
        assert sorted(StakeholderResponse.objects.filter(point=point).values_list("comment", flat=True)) == ["", "Calmer."]
