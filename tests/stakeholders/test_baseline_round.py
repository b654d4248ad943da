"""The stakeholders' baseline round: a contract may ask for one; it opens when the coaching starts
(the contract accepted), comes before the mid- and end-point everywhere, invites nominees as they are
named and chases them by the same rules, closes by itself on its date (or when the next point falls
due, or when the coach closes it), and is anonymous exactly like the other points. Only the
stakeholders answer it; the chart's stakeholder line then starts from what they said."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachhub.tenancy.viewers import Viewer
from coachhub.tenancy.context import practice_context
from engagements.contract_selectors import canonical_text, verify_version
from engagements.contracting import amendments, drafts, versions
from measurement import dashboards, selectors
from measurement.models import MeasurementPoint, StakeholderResponse
from measurement.services.closing import close_point
from measurement.services.rating import rate_point
from measurement.services.scheduling import move_point
from measurement.tasks import mark_points_due
from reminders import stakeholders as nominee_emails
from reminders.models import NomineeMessage, Reminder
from tests.conftest import client_at
from tests.contracts.conftest import START, accept, send
from tests.measurement.conftest import hold_sessions, point_of, rate
from tests.stakeholders.conftest import (
    GROUPS,
    answer,
    name,
    stakeholder_draft,
    stakeholder_engagement,
)

pytestmark = pytest.mark.django_db

BASELINE_LINE = "- Stakeholder baseline round: the stakeholder groups also rate the objectives when the coaching starts\n"


@pytest.fixture
def engagement(acme):
    return stakeholder_engagement(acme, baseline=True)


def baseline_of(cast, engagement) -> MeasurementPoint:
    return point_of(cast, engagement, "baseline")


def dispatch(cast, now=None):
    return nominee_emails.dispatch_nominee_messages(practice=cast.practice, now=now)


def close_now(cast, point, engagement):
    with practice_context(cast.practice):
        return close_point(point=point, actor=engagement.coach)


# --- The contract --------------------------------------------------------------------------------------


def _draft(cast, *, groups=GROUPS, baseline=True):
    return stakeholder_draft(cast, groups=groups, baseline=baseline)


def test_the_contract_text_names_the_baseline_round_only_when_asked_for(acme):
    version = _draft(acme)
    with practice_context(acme.practice):
        asked = canonical_text(version)
        version.stakeholder_baseline = False
        not_asked = canonical_text(version)
    assert BASELINE_LINE in asked and "baseline round" not in not_asked
    # The one line is all that differs: contracts without a round keep their exact text and hashes.
    assert asked.replace(BASELINE_LINE, "") == not_asked


def test_contracts_accepted_before_the_round_existed_still_verify(acme, in_practice):
    older = stakeholder_engagement(acme)  # groups named, no baseline round
    with in_practice(acme):
        version = older.contract_versions.get(status="accepted")
        assert "baseline round" not in version.rendered_text
        assert version.rendered_text == canonical_text(version)
        assert all(check.matches for check in verify_version(version))


def test_a_sent_contract_states_the_round_and_its_hash_covers_it(acme, engagement, in_practice):
    with in_practice(acme):
        version = engagement.contract_versions.get(status="accepted")
        assert BASELINE_LINE in version.rendered_text
        assert all(check.matches for check in verify_version(version))


def test_a_baseline_round_without_stakeholder_groups_is_refused_next_to_the_field(acme):
    version = _draft(acme, groups=[])
    with pytest.raises(ValidationError) as refused, practice_context(acme.practice):
        drafts.send_contract(version=version, actor=version.coach, base_url="", notify=False)
    assert "name at least one group" in refused.value.message_dict["stakeholder_baseline"][0]


def test_the_coach_ticks_the_round_on_the_draft_page(acme):
    version = _draft(acme, baseline=False)
    page = client_at(acme, version.coach).get(f"/contracts/{version.pk}/edit/").content.decode()
    assert "Baseline round at the start" in page
    assert 'name="stakeholder_baseline"' in page and "disabled" not in re.search(r'<input[^>]*name="stakeholder_baseline"[^>]*>', page).group(0)


def test_an_amendment_cannot_add_a_round_once_the_coaching_has_started(acme):
    engagement = stakeholder_engagement(acme)  # accepted without a round
    with practice_context(acme.practice):
        amendment = amendments.amend_contract(engagement=engagement, actor=engagement.coach)
        assert amendment.stakeholder_baseline is False
        objectives = [{f: getattr(o, f) for f in versions.OBJECTIVE_FIELDS} for o in amendment.objectives.all()]
        with pytest.raises(ValidationError) as refused:
            drafts.update_contract_draft(
                version=amendment, actor=engagement.coach, changes={"stakeholder_baseline": True}, objectives=objectives,
            )
    assert "cannot add one" in refused.value.message_dict["stakeholder_baseline"][0]
    page = client_at(acme, engagement.coach).get(f"/contracts/{amendment.pk}/edit/").content.decode()
    assert "disabled" in re.search(r'<input[^>]*name="stakeholder_baseline"[^>]*>', page).group(0)


def test_an_amendment_keeps_the_round_or_drops_it_with_the_stakeholders(acme, engagement):
    with practice_context(acme.practice):
        amendment = amendments.amend_contract(engagement=engagement, actor=engagement.coach)
        assert amendment.stakeholder_baseline is True  # copied from the contract in force
        objectives = [{**{f: getattr(o, f) for f in versions.OBJECTIVE_FIELDS}, "rated_by_stakeholders": False}
                      for o in amendment.objectives.all()]
        drafts.update_contract_draft(
            version=amendment, actor=engagement.coach, changes={"stakeholder_groups": [], "stakeholder_baseline": False},
            objectives=objectives,
        )
    assert "baseline round" not in send(acme, amendment).rendered_text


def test_an_accepted_amendment_opens_no_second_round_and_moves_the_open_one(acme, engagement):
    with practice_context(acme.practice):
        amendment = amendments.amend_contract(engagement=engagement, actor=engagement.coach)
        objectives = [{f: getattr(o, f) for f in versions.OBJECTIVE_FIELDS} for o in amendment.objectives.all()]
        drafts.update_contract_draft(version=amendment, actor=engagement.coach, changes={"sessions": 8}, objectives=objectives)
    amendment = send(acme, amendment)
    for _, party in amendment.parties():
        accept(acme, amendment, party)
    with practice_context(acme.practice):
        assert MeasurementPoint.objects.filter(engagement=engagement, kind="baseline").count() == 1
    assert baseline_of(acme, engagement).version_id == amendment.pk


# --- Scheduling and ordering ---------------------------------------------------------------------------


def test_the_round_opens_when_the_coaching_starts_before_the_mid_and_end_point(acme, engagement, in_practice):
    today = timezone.localdate()
    with in_practice(acme):
        points = list(MeasurementPoint.objects.filter(engagement=engagement))
    assert [p.kind for p in points] == ["baseline", "mid", "end"]
    baseline = points[0]
    assert baseline.fell_due_at is not None and baseline.due_on == today
    assert baseline.closes_on == today + timedelta(days=acme.practice.stakeholder_baseline_days) == today + timedelta(days=14)
    assert baseline.due_after_sessions is None and all(p.fell_due_at is None for p in points[1:])


def test_the_round_lasts_as_long_as_the_practice_says(acme):
    acme.practice.stakeholder_baseline_days = 21
    acme.practice.save()
    engagement = stakeholder_engagement(acme, baseline=True)
    assert baseline_of(acme, engagement).closes_on == timezone.localdate() + timedelta(days=21)


def test_no_round_unless_the_contract_asks_for_one(acme, in_practice):
    engagement = stakeholder_engagement(acme)
    with in_practice(acme):
        assert set(MeasurementPoint.objects.filter(engagement=engagement).values_list("kind", flat=True)) == {"mid", "end"}


def test_the_round_comes_first_on_every_page_and_the_pdf(acme, engagement, in_practice):
    page = client_at(acme, engagement.coachee).get(f"/engagements/{engagement.pk}/progress/").content.decode()
    assert page.index("Baseline round") < page.index("Mid-point") < page.index("End-point")
    assert "Open to the stakeholders" in page
    with in_practice(acme):
        progress = selectors.progress_for(engagement, None)
        assert [view.point.kind for view in progress.points] == ["baseline", "mid", "end"]
        from measurement.pdf import render_progress_pdf

        pdf = render_progress_pdf(engagement)
    import io

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert text.index("Baseline round") < text.index("Mid-point") < text.index("End-point")


def test_the_parties_do_not_rate_the_round_and_are_not_asked_to(acme, engagement, in_practice):
    baseline = baseline_of(acme, engagement)
    for party in (engagement.coachee, engagement.coach, acme.sponsor):
        with pytest.raises(MeasurementPoint.DoesNotExist), in_practice(acme):
            rate_point(point=baseline, rater=party, answers={})
        response = client_at(acme, party).post(f"/engagements/{engagement.pk}/progress/points/{baseline.pk}/", {})
        assert response.status_code == 404
    with in_practice(acme):
        assert not selectors.points_to_rate(Viewer.of(engagement.coachee), "coachee").exists()
        assert not selectors.points_to_rate(Viewer.of(acme.sponsor), "sponsor").exists()
        assert selectors.coach_points(Viewer.of(engagement.coach), now=timezone.now() + timedelta(days=30)) == ([], [])
        assert not Reminder.objects.filter(kind="measurement_due").exists()
    page = client_at(acme, engagement.coach).get(f"/engagements/{engagement.pk}/progress/points/{baseline.pk}/").content.decode()
    assert "only the stakeholders answer" in page and "Move the point" not in page
    assert "closes by itself on" in page and "Close the baseline round" in page


def test_the_round_cannot_be_moved(acme, engagement):
    with pytest.raises(ValidationError, match="closes by itself"), practice_context(acme.practice):
        move_point(point=baseline_of(acme, engagement), actor=engagement.coach, reason="later", due_on=START)


def test_the_round_closes_by_itself_on_its_date(acme, engagement, in_practice):
    peers = name(acme, engagement, "Peers", 3)
    baseline = baseline_of(acme, engagement)
    for nominee in peers:
        answer(acme, baseline, nominee, 4)
    with in_practice(acme):
        MeasurementPoint.objects.filter(pk=baseline.pk).update(closes_on=timezone.localdate() + timedelta(days=1))
        mark_points_due.apply(kwargs={"practice_id": acme.practice.pk})
    assert not baseline_of(acme, engagement).is_closed  # not before its date
    with in_practice(acme):
        MeasurementPoint.objects.filter(pk=baseline.pk).update(closes_on=timezone.localdate())
        assert mark_points_due.apply(kwargs={"practice_id": acme.practice.pk}).get() == 1
    baseline = baseline_of(acme, engagement)
    assert baseline.is_closed and baseline.closed_by is None and baseline.status == "baseline_taken"
    assert "3 responses counted" in baseline.status_reason
    with in_practice(acme):
        assert not baseline.results.exists()  # no verdict
        # The link to each person is cut, as at every point.
        assert not StakeholderResponse.objects.filter(point=baseline, nominee__isnull=False).exists()
        assert not NomineeMessage.objects.filter(point=baseline, state="pending").exists()


def test_the_round_closes_when_the_mid_point_falls_due(acme, engagement):
    name(acme, engagement, "Peers", 1)
    hold_sessions(acme, engagement, 3)
    assert point_of(acme, engagement).fell_due_at is not None
    baseline = baseline_of(acme, engagement)
    assert baseline.is_closed and baseline.status == "baseline_taken"
    assert "nothing to show" in baseline.status_reason


def test_the_coach_may_close_the_round_early(acme, engagement):
    closed = close_now(acme, baseline_of(acme, engagement), engagement)
    assert closed.is_closed and closed.closed_by == engagement.coach and closed.status == "baseline_taken"


# --- Invitations and reminders ---------------------------------------------------------------------------


def test_someone_named_while_the_round_is_open_is_invited_at_once(acme, engagement, mailoutbox):
    late = name(acme, engagement, "Peers", 1)[0]
    assert dispatch(acme).sent == 1 and mailoutbox[0].to == [late.email]
    assert dispatch(acme).sent == 0  # exactly once
    message = mailoutbox[0]
    assert "This first round, as the coaching starts" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = urlsplit(re.search(r"https?://\S+/feedback/\S+/", message.body).group(0)).path
    form = Client(HTTP_HOST=acme.host).get(path).content.decode()
    assert "This first round" in form and "closes on" in form


def test_reminders_follow_the_same_rules_until_the_round_closes(acme, engagement, mailoutbox):
    peers = name(acme, engagement, "Peers", 3)
    baseline = baseline_of(acme, engagement)
    dispatch(acme)
    answer(acme, baseline, peers[0], 5)
    with practice_context(acme.practice):
        from measurement.stakeholders.nominations import unsubscribe_nominee

        unsubscribe_nominee(nominee=peers[1])
    mailoutbox.clear()
    first = timezone.now() + nominee_emails.FIRST_REMINDER_AFTER + timedelta(minutes=1)
    assert dispatch(acme, now=first).sent == 1 and mailoutbox[0].to == [peers[2].email]
    assert mailoutbox[0].subject.startswith("Reminder:")
    assert dispatch(acme, now=first).sent == 0
    mailoutbox.clear()
    assert dispatch(acme, now=first + timedelta(days=7)).sent == 1  # weekly
    close_now(acme, baseline, engagement)
    assert dispatch(acme, now=first + timedelta(days=14)).sent == 0


# --- Anonymity and results ---------------------------------------------------------------------------


def _page(cast, engagement, user) -> str:
    page = client_at(cast, user).get(f"/engagements/{engagement.pk}/progress/").content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r"objective-chart-\d+", "objective-chart", page)
    return re.sub(r'("X-CSRFToken": "|nonce=")[^"]+"', "", page)


@pytest.mark.parametrize("who", ["coachee2", "coach", "sponsor", "admin"])
def test_one_more_answer_at_the_round_cannot_be_read_from_any_page(acme, engagement, who):
    managers = name(acme, engagement, "Line manager", 2)
    baseline = baseline_of(acme, engagement)
    answer(acme, baseline, managers[0], 3, "first manager")
    viewer = getattr(acme, who)
    before = _page(acme, engagement, viewer)
    answer(acme, baseline, managers[1], 9, "UNIQUE-COMMENT")
    after = _page(acme, engagement, viewer)
    assert "UNIQUE-COMMENT" not in after and "first manager" not in after
    # A group below its minimum reads "fewer than 3": the page does not change at all.
    assert before == after


def test_a_closed_round_shows_groups_at_their_minimum_only_without_names(acme, engagement):
    peers = name(acme, engagement, "Peers", 3)
    manager = name(acme, engagement, "Line manager", 1)
    baseline = baseline_of(acme, engagement)
    for nominee, score in zip(peers, [3, 4, 5], strict=True):
        answer(acme, baseline, nominee, score, "PEER-COMMENT" if score == 4 else "")
    answer(acme, baseline, manager[0], 9, "MANAGER-ONLY")
    close_now(acme, baseline, engagement)
    for who in ("coachee2", "coach", "sponsor", "admin"):
        page = _page(acme, engagement, getattr(acme, who))
        assert "Stakeholders (n=3)" in page and "not enough responses to show" in page
        assert "PEER-COMMENT" in page and "MANAGER-ONLY" not in page and "person" not in page


def test_the_chart_shows_the_stakeholders_change_from_their_baseline(acme, engagement, monkeypatch):
    peers = name(acme, engagement, "Peers", 3)
    baseline = baseline_of(acme, engagement)
    for nominee in peers:
        answer(acme, baseline, nominee, 3)
    close_now(acme, baseline, engagement)
    mid = due_mid(acme, engagement)
    for nominee in peers:
        answer(acme, mid, nominee, 6)
    for user in (engagement.coachee, engagement.coach, acme.sponsor):
        rate(acme, mid, user, 6)
    with practice_context(acme.practice):
        close_point(point=mid, actor=engagement.coach, now=timezone.now() + timedelta(days=30))
    drawn = {}
    monkeypatch.setattr("measurement.charts.objective_chart", lambda **chart: drawn.update(chart) or "")
    with practice_context(acme.practice):
        selectors.progress_for(engagement, None)
    assert drawn["labels"] == ["Baseline", "Mid-point", "End-point"]
    # The stakeholders' line starts from their own baseline (3), the raters' from the agreed one (4).
    assert drawn["series"]["Stakeholders (n=3)"] == [3.0, 6.0, None]
    assert drawn["series"]["Coachee"] == [4.0, 6.0, None]


def due_mid(cast, engagement) -> MeasurementPoint:
    hold_sessions(cast, engagement, 3)
    return point_of(cast, engagement)


# --- Who sees it, dashboards, query counts ---------------------------------------------------------------


def test_the_round_follows_the_one_access_table(acme, globex, engagement):
    url = f"/engagements/{engagement.pk}/progress/points/{baseline_of(acme, engagement).pk}/"
    for user in (acme.coachee2, acme.coach, acme.sponsor, acme.admin):
        assert client_at(acme, user).get(url).status_code == 200, user
    for user in (acme.coach2, acme.coachee):
        assert client_at(acme, user).get(url).status_code == 404, user
    assert client_at(globex, globex.admin).get(url).status_code == 404


def test_dashboards_read_the_open_round_without_a_verdict_or_an_overdue(acme, engagement, in_practice):
    peers = name(acme, engagement, "Peers", 4)
    baseline = baseline_of(acme, engagement)
    answer(acme, baseline, peers[0], 5)
    later = timezone.now() + timedelta(days=10)  # past the 7-day grace period, before the round closes
    with in_practice(acme):
        assert dashboards.points_due_counts(acme.practice, now=later) == {"due": 1, "overdue": 0}
        assert [p.overdue for p in dashboards.points_due(acme.practice, now=later)] == [False]
    for user, url in ((acme.sponsor, "/dashboard/sponsor/"), (acme.admin, "/practice/dashboard/")):
        page = client_at(acme, user).get(url).content.decode()
        assert "Baseline round: fewer than 3 of 4" in page and "Baseline round: open, closes on" in page, user
    close_now(acme, baseline, engagement)
    with in_practice(acme):
        row = dashboards.engagements_by_track().get(pk=engagement.pk)
        assert row.latest_status == "" and row.latest_point_kind is None  # not measured yet
    csv = client_at(acme, acme.sponsor).get("/dashboard/sponsor/export.csv").content.decode()
    assert "Not measured yet" in csv and "Baseline taken" not in csv
    # The filters offer verdicts only.
    assert "baseline_taken" not in dict(dashboards.STATUS_FILTER_CHOICES)


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_pages_keep_their_query_count_at_the_round_with_50_nominees(acme, engagement, closed, django_assert_max_num_queries):
    peers = name(acme, engagement, "Peers", 3)
    baseline = baseline_of(acme, engagement)
    for nominee in peers:
        answer(acme, baseline, nominee, 4, "fine")
    if closed:
        close_now(acme, baseline, engagement)
    pages = {
        (acme.coachee2, f"/engagements/{engagement.pk}/progress/"),
        (acme.coachee2, f"/engagements/{engagement.pk}/stakeholders/"),
        (acme.coach, f"/engagements/{engagement.pk}/progress/points/{baseline.pk}/"),
        (acme.coach, "/"),
        (acme.sponsor, "/dashboard/sponsor/"),
        (acme.sponsor, f"/dashboard/sponsor/engagements/{engagement.pk}/"),
        (acme.admin, "/practice/dashboard/"),
    }
    clients = {user: client_at(acme, user) for user, _ in pages}
    small = {(user, url): queries_of(clients[user], url) for user, url in pages}
    more = name(acme, engagement, "Direct reports", 47, start=100)  # 50 nominees
    if not closed:
        for nominee in more[:20]:
            answer(acme, baseline, nominee, 5)
    for (user, url), count in small.items():
        with django_assert_max_num_queries(count):
            assert clients[user].get(url).status_code == 200
