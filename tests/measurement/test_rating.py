"""Raters rate every objective they rate at a due, open point; corrections are kept; bad input is
refused with a clear message and loses nothing; two raters at the same instant both land."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from coachhub.tenancy.context import practice_context
from measurement import selectors
from measurement.models import MeasurementPoint, Rating, RatingRevision
from tests.conftest import client_at
from tests.measurement.conftest import due_mid_point, point_of, rate
from tests.sessions.conftest import active_engagement


def test_each_rater_rates_and_the_point_closes_when_all_have(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    assert not rate(acme, point, engagement.coachee, 6).closed
    assert not rate(acme, point, acme.coach, 5).closed
    assert rate(acme, point, acme.sponsor, 6).closed
    point = point_of(acme, engagement)
    assert point.is_closed and point.closed_by is None and point.status == "on_track"
    with in_practice(acme):
        assert {(r.role, r.score) for r in Rating.objects.filter(point=point)} == {("coachee", 6), ("coach", 5), ("sponsor", 6)}
        assert point.results.get().score is not None


def test_a_correction_replaces_the_rating_and_every_change_is_kept(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    rate(acme, point, engagement.coachee, 5, "first go")
    result = rate(acme, point, engagement.coachee, 7, "thought again")
    assert result.changed == 1
    with in_practice(acme):
        rating = Rating.objects.get(point=point, role="coachee")
        assert (rating.score, rating.comment) == (7, "thought again")
        assert [(r.score, r.comment) for r in RatingRevision.objects.filter(rating=rating)] == [(5, "first go"), (7, "thought again")]


def test_the_same_rating_again_changes_nothing(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    rate(acme, point, engagement.coachee, 5)
    assert rate(acme, point, engagement.coachee, 5).changed == 0
    with in_practice(acme):
        assert RatingRevision.objects.count() == 1


@pytest.mark.parametrize("score", [0, 11, -3])
def test_a_rating_outside_the_scale_is_refused_and_nothing_is_saved(acme, engagement, in_practice, score):
    point = due_mid_point(acme, engagement)
    with pytest.raises(ValidationError) as refused:
        rate(acme, point, engagement.coachee, score)
    assert "from 1 to 10" in str(refused.value)
    with in_practice(acme):
        assert not Rating.objects.exists()


def test_someone_who_is_not_a_rater_cannot_rate(acme, engagement):
    point = due_mid_point(acme, engagement)
    for outsider in (acme.coach2, acme.admin, acme.coachee):
        with pytest.raises(MeasurementPoint.DoesNotExist):
            rate(acme, point, outsider, 5)


def test_a_point_not_yet_due_cannot_be_rated(acme, engagement):
    with pytest.raises(ValidationError, match="not due yet"):
        rate(acme, point_of(acme, engagement), engagement.coachee, 5)


def test_a_closed_point_cannot_be_rated_again_and_keeps_its_ratings(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    for user in (engagement.coachee, acme.coach, acme.sponsor):
        rate(acme, point, user, 6)
    with pytest.raises(ValidationError, match="was closed on"):
        rate(acme, point, engagement.coachee, 2)
    with in_practice(acme):
        assert Rating.objects.get(point=point, role="coachee").score == 6


def _form(point, score, comment=""):
    objective = point.version.objectives.get()
    return {f"objective_{objective.pk}_score": str(score), f"objective_{objective.pk}_comment": comment}


def test_the_form_says_what_is_wrong_next_to_the_field_and_keeps_the_comment(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    url = f"/engagements/{engagement.pk}/progress/points/{point.pk}/"
    with in_practice(acme):
        data = _form(point, 11, "Keep this comment")
    response = client_at(acme, engagement.coachee).post(url, data)
    page = response.content.decode()
    assert response.status_code == 422
    assert "A rating is a whole number from 1 to 10." in page and "Keep this comment" in page
    with in_practice(acme):
        data = _form(point, "seven")
    assert "A rating is a whole number from 1 to 10." in client_at(acme, engagement.coachee).post(url, data).content.decode()


def test_a_non_rater_posting_ratings_gets_404(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    with in_practice(acme):
        data = _form(point, 5)
    url = f"/engagements/{engagement.pk}/progress/points/{point.pk}/"
    assert client_at(acme, acme.admin).post(url, data).status_code == 404
    assert client_at(acme, acme.coach2).post(url, data).status_code == 404


def test_rating_a_closed_point_on_the_form_is_a_clear_message_not_a_500(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    for user in (engagement.coachee, acme.coach, acme.sponsor):
        rate(acme, point, user, 6)
    with in_practice(acme):
        data = _form(point, 2)
    response = client_at(acme, engagement.coachee).post(f"/engagements/{engagement.pk}/progress/points/{point.pk}/", data)
    assert response.status_code == 422 and "ratings can no longer be given or changed" in response.content.decode()


def test_a_rating_comment_with_html_is_escaped_on_the_page(acme, engagement, in_practice):
    point = due_mid_point(acme, engagement)
    rate(acme, point, engagement.coachee, 6, "<script>alert('x')</script>")
    page = client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/progress/points/{point.pk}/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


@pytest.mark.django_db(transaction=True)
def test_two_raters_submitting_at_the_same_instant_both_land_and_the_point_closes(acme):
    engagement = active_engagement(acme)
    point = due_mid_point(acme, engagement)
    rate(acme, point, acme.sponsor, 6)
    barrier, errors = threading.Barrier(2), []

    def submit(user, score):
        try:
            barrier.wait(timeout=10)
            rate(acme, point, user, score)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(engagement.coachee, 6)), threading.Thread(target=submit, args=(acme.coach, 5))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with practice_context(acme.practice):
        assert Rating.objects.filter(point=point).count() == 3
        point = MeasurementPoint.objects.get(pk=point.pk)
        assert point.is_closed and point.results.count() == 1
        assert selectors.missing_raters(point) == []


def test_a_corrected_rating_shows_what_it_was_before(acme, engagement):
    point = due_mid_point(acme, engagement)
    rate(acme, point, engagement.coachee, 5, "first go")
    rate(acme, point, engagement.coachee, 7, "thought again")
    page = client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/progress/points/{point.pk}/").content.decode()
    assert "(corrected; before: 5 on " in page


def test_the_rating_form_is_one_card_per_objective_and_ratings_list_coachee_coach_sponsor(acme, engagement):
    point = due_mid_point(acme, engagement)
    for user, score in ((acme.sponsor, 6), (acme.coach, 5)):
        rate(acme, point, user, score)
    page = client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/progress/points/{point.pk}/").content.decode()
    assert '<fieldset class="rating-objective">' in page and "css/dashboards" in page
    page = client_at(acme, acme.coach).get(f"/engagements/{engagement.pk}/progress/points/{point.pk}/").content.decode()
    assert page.index('data-label="Rater">Coach<') < page.index('data-label="Rater">Sponsor<')


def test_the_form_says_who_will_read_a_comment(acme, engagement):
    point = due_mid_point(acme, engagement)
    page = client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/progress/points/{point.pk}/").content.decode()
    assert "Seen by the coach and the practice, by the other raters once they have rated, and printed in the progress report." in page
