"""Closing: automatic when all raters have rated; by the coach after the grace period with the
missing raters recorded; the computed status is never edited, the coach may comment; completion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from engagements.models import Engagement
from measurement.services.closing import close_point, comment_on_point, complete_engagement
from measurement.models import MeasurementPoint
from tests.conftest import client_at
from tests.measurement.conftest import (
    after_grace,
    due_mid_point,
    hold_sessions,
    point_of,
    rate,
)


def test_the_coach_cannot_close_before_the_grace_period_while_raters_are_missing(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    rate(acme, point, engagement.coachee, 6)
    with in_practice(acme), pytest.raises(ValidationError) as refused:
        close_point(point=point, actor=acme.coach, now=point.fell_due_at + timedelta(days=1))
    assert "Still to rate:" in str(refused.value) and "(coach)" in str(refused.value) and "(sponsor)" in str(refused.value)
    assert not point_of(acme, engagement).is_closed


def test_after_the_grace_period_the_coach_closes_with_the_missing_raters_recorded(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    rate(acme, point, engagement.coachee, 6)
    with in_practice(acme):
        close_point(point=point, actor=acme.coach, now=after_grace(acme, point))
    point = point_of(acme, engagement)
    assert point.is_closed and point.closed_by == acme.coach
    assert point.computation["missing_raters"] == ["coach", "sponsor"]
    with in_practice(acme):
        assert point.status == "on_track" and "not rated by coach, sponsor" in point.results.get().reason


def test_only_the_coach_closes(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    with in_practice(acme), pytest.raises(Http404):
        close_point(point=point, actor=acme.coach2, now=after_grace(acme, point))
    url = f"/engagements/{engagement.pk}/progress/points/{point.pk}/close/"
    assert client_at(acme, engagement.coachee).post(url).status_code == 404


def test_a_point_not_yet_due_cannot_be_closed(acme, engagement, in_practice):
    with in_practice(acme), pytest.raises(ValidationError, match="not due yet"):
        close_point(point=point_of(acme, engagement), actor=acme.coach)


def test_the_grace_period_is_the_practice_setting(acme, engagement, in_practice):
    acme.practice.measurement_grace_days = 0
    acme.practice.save()
    point = due_mid_point(acme, engagement)
    with in_practice(acme):
        close_point(point=point, actor=acme.coach)
    assert point_of(acme, engagement).status == "off_track"  # nobody rated


def test_the_coach_comments_but_the_computed_status_stays(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    for user in (engagement.coachee, acme.coach, acme.sponsor):
        rate(acme, point, user, 2)
    before = point_of(acme, engagement)
    with in_practice(acme):
        comment_on_point(point=before, actor=acme.coach, comment="A hard quarter; we agreed a new plan.")
    after = point_of(acme, engagement)
    assert after.coach_comment == "A hard quarter; we agreed a new plan."
    assert (after.status, after.status_reason, after.computation) == (before.status, before.status_reason, before.computation)
    assert after.status == "off_track"
    assert not any(f.editable for f in MeasurementPoint._meta.get_fields() if f.name in ("status_reason", "computation"))


def test_closing_the_point_shows_status_and_reason_on_the_page(acme, engagement):
    point = due_mid_point(acme, engagement)
    for user in (engagement.coachee, acme.coach, acme.sponsor):
        rate(acme, point, user, 6)
    page = client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/progress/points/{point.pk}/").content.decode()
    assert "On track" in page and "All 1 objective reached the bar after 3 of 6 sessions" in page
    assert "baseline + (target − baseline) × (sessions held ÷ sessions contracted) − tolerance" in page


def test_completing_needs_the_end_point_closed_then_moves_the_engagement_to_completed(acme, engagement, in_practice):
    with in_practice(acme), pytest.raises(ValidationError, match="end-point"):
        complete_engagement(engagement=engagement, actor=acme.coach)
    hold_sessions(acme, engagement, 6)
    for kind in ("mid", "end"):
        point = point_of(acme, engagement, kind)
        for user in (engagement.coachee, acme.coach, acme.sponsor):
            rate(acme, point, user, 7)
    assert point_of(acme, engagement, "end").status == "achieved"
    with in_practice(acme):
        complete_engagement(engagement=engagement, actor=acme.coach)
        engagement = Engagement.objects.get(pk=engagement.pk)
    assert engagement.stage == "completed" and engagement.completed_at is not None


def test_once_the_grace_period_is_over_the_page_says_the_coach_may_close_and_asks_first(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    rate(acme, point, engagement.coachee, 6)
    with in_practice(acme):
        MeasurementPoint.objects.filter(pk=point.pk).update(
            fell_due_at=point.fell_due_at - timedelta(days=acme.practice.measurement_grace_days + 1)
        )
    page = client_at(acme, acme.coach).get(f"/engagements/{engagement.pk}/progress/points/{point.pk}/").content.decode()
    assert "The grace period ended" in page and "Raters have until" not in page
    assert 'data-confirm="Close the mid-point without' in page


def test_a_closed_point_says_when_and_by_whom(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    with in_practice(acme):
        close_point(point=point, actor=acme.coach, now=after_grace(acme, point))
    page = client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/progress/points/{point.pk}/").content.decode()
    assert f"by {acme.coach.get_full_name()}." in page and "Closed " in page


def test_the_refusal_to_close_gives_the_date_as_people_write_it(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    with in_practice(acme):
        MeasurementPoint.objects.filter(pk=point.pk).update(fell_due_at=point.fell_due_at.replace(day=25, month=11, year=2026))
        point.refresh_from_db()
        with pytest.raises(ValidationError) as refused:
            close_point(point=point, actor=acme.coach, now=point.fell_due_at + timedelta(days=1))
    assert "They have until 2 December 2026 at " in str(refused.value)


def test_the_raters_list_reads_right_before_during_and_after_the_point(acme, engagement, in_practice):
    client = client_at(acme, engagement.coachee)
    url = f"/engagements/{engagement.pk}/progress/points/{point_of(acme, engagement).pk}/"
    assert "(sponsor) rates once it falls due" in client.get(url).content.decode()
    point = due_mid_point(acme, engagement)
    assert "(sponsor) has not rated yet" in client.get(url).content.decode()
    rate(acme, point, engagement.coachee, 6)
    with in_practice(acme):
        close_point(point=point, actor=acme.coach, now=after_grace(acme, point))
    assert "(sponsor) did not rate (closed without them)" in client.get(url).content.decode()


def test_completing_closes_a_rated_open_mid_point_and_ends_rating(acme, engagement, in_practice):
    hold_sessions(acme, engagement, 6)
    mid = point_of(acme, engagement, "mid")
    rate(acme, mid, engagement.coachee, 6)  # the coach and the sponsor never rated the mid-point
    end = point_of(acme, engagement, "end")
    for user in (engagement.coachee, acme.coach, acme.sponsor):
        rate(acme, end, user, 7)
    with in_practice(acme):
        complete_engagement(engagement=engagement, actor=acme.coach)
    mid = point_of(acme, engagement, "mid")
    assert mid.is_closed and set(mid.computation["missing_raters"]) == {"coach", "sponsor"}
    with pytest.raises(ValidationError, match="can no longer be rated|closed"):
        rate(acme, mid, acme.sponsor, 5)
