"""The progress report: rendered by a task, stored per practice, served by the download view (202
while it is being prepared, never rendered in the request); free text escaped; only our assets."""

from __future__ import annotations


from django.core.files.storage import default_storage

from measurement.services.closing import comment_on_point, complete_engagement
from measurement.selectors import progress_storage_path
from measurement.tasks import render_progress_pdf
from tests.conftest import client_at
from tests.measurement.conftest import due_mid_point, hold_sessions, point_of, rate

SCRIPT = "<script>alert('x')</script><img src=https://evil.example/x.png>"


def closed_mid_point(acme, engagement, comment=""):
    point = due_mid_point(acme, engagement)
    for user in (engagement.coachee, acme.coach, acme.sponsor):
        rate(acme, point, user, 6, comment)
    return point


def test_the_task_stores_the_report_under_the_practice(acme, engagement, in_practice):
    closed_mid_point(acme, engagement)
    with in_practice(acme):
        path = render_progress_pdf.apply(kwargs={"engagement_id": engagement.pk, "practice_id": acme.practice.pk}).get()
        assert path == progress_storage_path(engagement)
    assert path.startswith(f"practices/{acme.practice.pk}/progress/{engagement.pk}/")
    with default_storage.open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_the_download_is_202_until_stored_then_the_file(acme, engagement, in_practice):
    closed_mid_point(acme, engagement)
    client = client_at(acme, acme.sponsor)
    url = f"/engagements/{engagement.pk}/progress/report.pdf"
    waiting = client.get(url)
    assert waiting.status_code == 202 and "being prepared" in waiting.content.decode()
    with in_practice(acme):
        render_progress_pdf.apply(kwargs={"engagement_id": engagement.pk, "practice_id": acme.practice.pk})
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_comments_with_html_are_escaped_and_nothing_is_fetched_from_outside(acme, engagement, in_practice):
    from engagements.pdf import OwnAssetsOnly
    from measurement import pdf

    point = closed_mid_point(acme, engagement, SCRIPT)
    with in_practice(acme):
        comment_on_point(point=point, actor=acme.coach, comment=SCRIPT)
        html = pdf.progress_html(engagement)
        fetcher = OwnAssetsOnly(acme.practice)
        assert pdf.render_progress_pdf(engagement, fetcher=fetcher).startswith(b"%PDF-")
    assert "<script>" not in html and "&lt;script&gt;alert" in html and "<img src=https://evil" not in html
    assert fetcher.requested and all(url.startswith("https://pdf.coachhub.invalid/static/") for url in fetcher.requested)


def test_the_report_shows_parties_package_ratings_status_charts_and_rule(acme, engagement, in_practice):
    from measurement import pdf

    closed_mid_point(acme, engagement, "Clear progress in the team meetings.")
    with in_practice(acme):
        html = pdf.progress_html(engagement)
    for text in (engagement.coachee.get_full_name(), acme.sponsor.email, "3 of 6 held", "Baseline 4", "Target 7",
                 "On track", "Clear progress in the team meetings.", "<svg", "mean of its raters"):
        assert text in html, text


def test_an_open_point_s_ratings_are_not_in_the_report(acme, engagement, in_practice):
    from measurement import pdf

    point = due_mid_point(acme, engagement)
    rate(acme, point, acme.sponsor, 9, "NOT-YET-CLOSED")
    with in_practice(acme):
        assert "NOT-YET-CLOSED" not in pdf.progress_html(engagement)


def test_the_final_report_adds_the_end_point_outcome(acme, engagement, in_practice):
    from engagements.models import Engagement
    from measurement import pdf
    from tests.measurement.conftest import hold_sessions, point_of

    hold_sessions(acme, engagement, 6)
    for kind in ("mid", "end"):
        point = point_of(acme, engagement, kind)
        for user in (engagement.coachee, acme.coach, acme.sponsor):
            rate(acme, point, user, 7)
    with in_practice(acme):
        complete_engagement(engagement=engagement, actor=acme.coach)
        html = pdf.progress_html(Engagement.objects.get(pk=engagement.pk))
    assert "Final report" in html and "End-point outcome" in html and "Achieved" in html


def test_the_final_report_is_named_so_on_every_page_and_states_the_record_keeping(acme, engagement, in_practice):
    from measurement import pdf

    closed_mid_point(acme, engagement)
    hold_sessions(acme, engagement, 3, first=4)
    for user in (engagement.coachee, acme.coach, acme.sponsor):
        rate(acme, point_of(acme, engagement, "end"), user, 7)
    with in_practice(acme):
        complete_engagement(engagement=engagement, actor=acme.coach)
        engagement.refresh_from_db()
        html = pdf.progress_html(engagement)
    assert '<span class="report-kind">Final report</span>' in html  # the running header reads it (string-set)
    assert "Record keeping" in html and "month" in html and "after completion" in html
    assert "used · 6 of 6 held" in html


def test_the_charts_numbers_show_under_the_chart_in_the_pdf_rather_than_hidden(acme, engagement, in_practice):
    from django.contrib.staticfiles import finders

    stylesheet = open(finders.find("css/measurement-pdf.css")).read()
    assert ".chart .objective-chart__data { position: static;" in stylesheet
    assert 'content: string(report-kind)' in stylesheet
