"""The sponsor's dashboard: the engagements they sponsor for their organisation, filters, the CSV
export, each engagement's trends, and 404 for everything else."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Membership, Role
from coachhub.tenancy.spreadsheets import csv_safe
from engagements.models import ContractVersion, Engagement
from measurement import dashboards
from sessions.models import CoachingSession
from tests.conftest import client_at, make_user
from tests.measurement.dashboard_support import engagement, other_organisation, portfolio, signed_in, sponsor_of

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/sponsor/"
CSV_URL = "/dashboard/sponsor/export.csv"


def detail(pk: int) -> str:
    return f"/dashboard/sponsor/engagements/{pk}/"


def csv_of(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def five(acme) -> list[int]:
    """Five engagements: on track, at risk, off track, not measured, achieved (completed)."""
    return portfolio(acme, 5)


def test_the_sponsor_sees_each_engagement_with_its_progress_and_charts(acme, five):
    response = client_at(acme, acme.sponsor).get(DASHBOARD)
    assert response.status_code == 200
    page = response.content.decode()
    first = engagement(acme, five[0])
    assert first.coachee.full_name in page
    assert "Coach Acme" in page
    assert page.count('class="card engagement-progress"') == 5
    assert "3 used of 8" in page
    for label in ("On track", "At risk", "Off track", "Not measured yet", "Achieved"):
        assert label in page
    assert "Mid-point: due since" in page  # the unmeasured one's next point
    assert page.count('role="img"') == 5 * 3  # a chart per objective
    assert "Coachee: Baseline 4, Mid-point 5, End-point not rated." in page  # a chart's text alternative


def test_the_sponsor_can_reach_the_dashboard_from_the_navigation_and_home(acme, five):
    client = client_at(acme, acme.sponsor)
    assert f'href="{DASHBOARD}"' in client.get("/").content.decode()


@pytest.mark.parametrize("status, expected", [
    ("on_track", [0]), ("at_risk", [1]), ("off_track", [2]), ("not_measured", [3]), ("achieved", [4]),
])
def test_filter_by_status(acme, five, status, expected):
    response = client_at(acme, acme.sponsor).get(DASHBOARD, {"status": status})
    rows = [row.engagement.pk for row in response.context["rows"]]
    assert rows == [five[n] for n in expected]


def test_filter_by_stage(acme, five):
    response = client_at(acme, acme.sponsor).get(DASHBOARD, {"stage": "completed"})
    assert [row.engagement.pk for row in response.context["rows"]] == [five[4]]
    response = client_at(acme, acme.sponsor).get(DASHBOARD, {"stage": "active"})
    assert len(response.context["rows"]) == 4


def test_filter_by_coach(acme, five):
    response = client_at(acme, acme.sponsor).get(DASHBOARD, {"coach": acme.coach2.pk})
    assert sorted(row.engagement.pk for row in response.context["rows"]) == [five[1], five[3]]
    assert all(row.engagement.coach_id == acme.coach2.pk for row in response.context["rows"])


def test_filters_combine_and_are_kept_in_the_csv_link(acme, five):
    response = client_at(acme, acme.sponsor).get(DASHBOARD, {"coach": acme.coach.pk, "status": "off_track"})
    assert [row.engagement.pk for row in response.context["rows"]] == [five[2]]
    assert f"{CSV_URL}?status=off_track&amp;coach={acme.coach.pk}" in response.content.decode()


def test_a_coach_not_among_the_sponsors_engagements_is_not_a_choice(acme, five, globex):
    stranger = make_user("coach3@acme.test")
    with practice_context(acme.practice):
        Membership.objects.create(user=stranger, role=Role.COACH)
    response = client_at(acme, acme.sponsor).get(DASHBOARD, {"coach": stranger.pk})
    assert response.status_code == 200
    assert "coach" in response.context["form"].errors
    assert len(response.context["rows"]) == 5  # an invalid filter is reported, not applied


@pytest.mark.parametrize("query", [{"status": "<script>"}, {"stage": "chemistry"}, {"coach": "x"}, {"page": "999"}])
def test_bad_filter_values_answer_with_the_page_never_a_500(acme, five, query):
    response = client_at(acme, acme.sponsor).get(DASHBOARD, query)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_csv_holds_the_filtered_rows(acme, five):
    rows = csv_of(client_at(acme, acme.sponsor).get(CSV_URL, {"status": "off_track"}))
    assert rows[0] == dashboards.CSV_HEADER
    assert len(rows) == 2
    off = engagement(acme, five[2])
    assert rows[1][:5] == [off.coachee.full_name, "Coach Acme", "Active", "3", "8"]
    assert rows[1][6:8] == ["Off track", "Mid-point"]
    assert len(csv_of(client_at(acme, acme.sponsor).get(CSV_URL))) == 6


# A name cannot start with a tab (names refuse control characters): csv_safe's tab case is below.
@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_cells_that_would_run_as_formulas_are_quoted(acme, five, name):
    with practice_context(acme.practice):
        coachee = engagement(acme, five[0]).coachee
        coachee.full_name = name
        coachee.save()
    rows = csv_of(client_at(acme, acme.sponsor).get(CSV_URL))
    cell = next(row[0] for row in rows[1:] if row[0].lstrip("'") == name)
    assert cell == "'" + name


def test_csv_safe_leaves_ordinary_text_alone():
    assert csv_safe("Ada Lovelace") == "Ada Lovelace"
    assert csv_safe(3) == "3"
    assert csv_safe(None) == ""
    assert csv_safe("=1") == "'=1"
    assert csv_safe("\t=1") == "'\t=1"


def test_the_engagement_page_shows_trends_results_and_only_shared_summaries(acme, five):
    pk = five[2]
    with practice_context(acme.practice):
        sessions = list(CoachingSession.objects.filter(engagement_id=pk).order_by("number"))
        CoachingSession.objects.filter(pk=sessions[0].pk).update(summary="Shared: agreed two experiments.", summary_shared_with_sponsor=True)
        CoachingSession.objects.filter(pk=sessions[1].pk).update(
            summary="Not shared: talked about the board.", goals="Secret goals", summary_shared_with_sponsor=False,
        )
    response = client_at(acme, acme.sponsor).get(detail(pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Shared: agreed two experiments." in page
    assert "Not shared" not in page and "Secret goals" not in page
    assert "Summary of session 3." not in page  # logged, never shared
    assert page.count('role="img"') == 3
    assert "Score 6 against 5 expected." in page  # an objective's computed result and its reason
    assert "Off track" in page


def test_the_dashboard_never_shows_session_content(acme, five):
    with practice_context(acme.practice):
        CoachingSession.objects.filter(engagement_id__in=five).update(goals="Secret goals", summary="Secret summary")
    page = client_at(acme, acme.sponsor).get(DASHBOARD).content.decode()
    assert "Secret" not in page


# --- Who sees what: everything else is 404 ---------------------------------------------------------------


@pytest.fixture
def walk(acme, globex, five):
    """acme's sponsor's engagements, plus engagements the same sponsor must not see on the dashboard."""
    sponsored = engagement(acme, five[0])
    elsewhere = other_organisation(acme)
    # The same sponsor, named on an accepted contract of another organisation's engagement.
    other_org = portfolio(acme, 1, organisation=elsewhere)
    # A sponsor of the same organisation who is not the party to these contracts.
    second_sponsor = sponsor_of(acme, "sponsor-two")
    # Sponsor of the accepted contract of another organisation's engagement.
    foreign_sponsor = sponsor_of(acme, "sponsor-foreign", organisation=elsewhere)
    theirs = portfolio(acme, 1, sponsor=foreign_sponsor, organisation=elsewhere)
    globex_ids = portfolio(globex, 1)
    return {"sponsored": sponsored, "other_org": other_org[0], "second_sponsor": second_sponsor,
            "foreign_sponsor": foreign_sponsor, "theirs": theirs[0], "globex": globex_ids[0]}


def listed(cast, user) -> set[int]:
    response = client_at(cast, user).get(DASHBOARD)
    assert response.status_code == 200
    return {row.engagement.pk for row in response.context["rows"]}


def test_the_sponsor_lists_only_their_organisations_engagements_they_are_party_to(acme, five, walk):
    assert listed(acme, acme.sponsor) == set(five)
    assert client_at(acme, acme.sponsor).get(detail(walk["other_org"])).status_code == 404
    assert client_at(acme, acme.sponsor).get(detail(walk["theirs"])).status_code == 404


def test_a_sponsor_who_is_not_party_to_the_contract_sees_nothing(acme, walk):
    assert listed(acme, walk["second_sponsor"]) == set()
    assert client_at(acme, walk["second_sponsor"]).get(detail(walk["sponsored"].pk)).status_code == 404
    assert len(csv_of(client_at(acme, walk["second_sponsor"]).get(CSV_URL))) == 1


def test_a_sponsor_of_another_organisation_gets_404(acme, walk):
    assert listed(acme, walk["foreign_sponsor"]) == {walk["theirs"]}
    assert client_at(acme, walk["foreign_sponsor"]).get(detail(walk["sponsored"].pk)).status_code == 404


def test_a_sponsor_who_moved_organisation_no_longer_sees_the_old_ones(acme, five, walk):
    with practice_context(acme.practice):
        Membership.objects.filter(user=acme.sponsor, role=Role.SPONSOR).update(client_organisation=None)
    assert listed(acme, acme.sponsor) == set()


def test_a_contract_not_yet_accepted_does_not_put_the_engagement_on_the_dashboard(acme, five):
    with practice_context(acme.practice):
        pending = Engagement.objects.create(
            coachee=acme.coachee, coach=acme.coach, stage=Engagement.Stage.CONTRACTING, objectives="x",
            client_organisation=acme.organisation, sponsor=acme.sponsor,
        )
        ContractVersion.objects.create(
            engagement=pending, number=1, coachee=acme.coachee, coach=acme.coach, sponsor=acme.sponsor,
            client_organisation=acme.organisation,
        )
    assert pending.pk not in listed(acme, acme.sponsor)
    assert client_at(acme, acme.sponsor).get(detail(pending.pk)).status_code == 404


@pytest.mark.parametrize("person", ["coachee", "coach", "coach2", "admin"])
def test_people_who_are_not_sponsors_get_404(acme, walk, person):
    if person == "coachee":
        client = signed_in(acme, walk["sponsored"].coachee)
    else:
        client = client_at(acme, getattr(acme, person))
    for url in (DASHBOARD, CSV_URL, detail(walk["sponsored"].pk)):
        assert client.get(url).status_code == 404, (person, url)


def test_another_practices_sponsor_gets_404_and_sees_none_of_it(acme, globex, walk):
    client = client_at(globex, globex.sponsor)
    assert client.get(detail(walk["sponsored"].pk)).status_code == 404
    assert {row.engagement.pk for row in client.get(DASHBOARD).context["rows"]} == {walk["globex"]}
    assert client_at(acme, acme.sponsor).get(detail(walk["globex"])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(acme, five):
    from django.test import Client

    response = Client(HTTP_HOST=acme.host).get(DASHBOARD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_dashboard_is_read_only(acme, five):
    assert client_at(acme, acme.sponsor).post(DASHBOARD).status_code == 405


def test_points_describe_when_they_fall_due():
    from datetime import date, timedelta

    from measurement.models import MeasurementPoint

    point = MeasurementPoint(kind="mid", due_after_sessions=4, due_on=date(2027, 3, 4))
    assert dashboards.describe_point(point) == "Mid-point: after 4 sessions held or on 4 March 2027"
    now = timezone.now()
    point = MeasurementPoint(kind="end", due_after_sessions=8, fell_due_at=now - timedelta(days=10))
    assert dashboards.describe_point(point, overdue_before=now - timedelta(days=7)).endswith("(overdue)")
    assert not dashboards.describe_point(point, overdue_before=now - timedelta(days=14)).endswith("(overdue)")
    assert dashboards.describe_point(None) == "None left"


def test_an_engagement_without_points_says_none_are_scheduled(acme, five):
    from measurement.models import MeasurementPoint, Rating
    from measurement.summaries.building import rebuild_summaries

    with practice_context(acme.practice):
        Rating.objects.filter(point__engagement_id=five[0]).delete()
        MeasurementPoint.objects.filter(engagement_id=five[0]).delete()
        # Deleted around the services, so no subscriber heard it: the summaries are rebuilt, as after any such write.
        rebuild_summaries()
    page = client_at(acme, acme.sponsor).get(detail(five[0])).content.decode()
    assert "Not scheduled yet" in page
    assert "Not measured yet" in page
    rows = csv_of(client_at(acme, acme.sponsor).get(CSV_URL, {"status": "not_measured"}))
    assert sorted(row[5] for row in rows[1:])[-1] == "Not scheduled yet"


def test_the_dashboards_use_the_issues_words_sessions_used_against_contracted_and_next_measurement_point(acme, five):
    page = client_at(acme, acme.sponsor).get(DASHBOARD).content.decode()
    assert "<dt>Sessions used</dt><dd>3 used of 8 contracted</dd>" in page and "<dt>Next measurement point</dt>" in page
    page = client_at(acme, acme.admin).get("/practice/dashboard/").content.decode()
    assert ">Sessions used</th>" in page and ">Next measurement point</th>" in page


def test_each_objective_result_on_the_engagement_page_names_its_point(acme, five):
    page = client_at(acme, acme.sponsor).get(detail(five[2])).content.decode()
    assert "<strong>Mid-point:</strong> " in page


def test_a_point_awaiting_the_sponsors_rating_links_to_the_form(acme, in_practice):
    from tests.measurement.conftest import due_mid_point, rate
    from tests.sessions.conftest import active_engagement

    awaited = active_engagement(acme)
    point = due_mid_point(acme, awaited)
    page = client_at(acme, acme.sponsor).get(DASHBOARD).content.decode()
    link = f'href="/engagements/{awaited.pk}/progress/points/{point.pk}/">Your rating is awaited: rate now</a>'
    assert link in page
    rate(acme, point, acme.sponsor, 6)
    assert "Your rating is awaited" not in client_at(acme, acme.sponsor).get(DASHBOARD).content.decode()
