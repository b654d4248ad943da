"""A completed engagement past its contract's record-keeping period: its personal data goes (text,
contract text and acceptance records, the coachee's link to it), its counts and scores stay, so the
sponsor's and the practice's dashboards read the same before and after; one audit line says what went.
The contract versions are emptied only through the database's purge function, never by the app's role."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from coachhub.tenancy.viewers import Viewer
from coachhub.tenancy.context import practice_context, require_practice
from coachhub.tenancy.models import AuditEntry
from engagements.models import (
    Acceptance,
    ChemistryCall,
    ContractVersion,
    Engagement,
    Objective,
)
from engagements.retention import add_months, purge_contract_records
from measurement import dashboards
from measurement.models import MeasurementPoint, Rating, RatingRevision
from records import contents
from records.anonymising import ANONYMOUS_COACHEE, anonymous_coachee
from records.building import export_zip
from records.models import ErasureRequest
from records.retention import purge_expired_records
from sessions.models import ActionItem, CoacheeReflection, CoachingSession
from tests.conftest import client_at
from tests.records.conftest import texts, unzip

pytestmark = pytest.mark.django_db


def complete_past_retention(cast, engagement, *, months_more: int = 0, days: int = 1) -> None:
    with practice_context(cast.practice):
        months = ContractVersion.objects.get(engagement=engagement, status="accepted").retention_months
        Engagement.objects.filter(pk=engagement.pk).update(
            stage="completed", completed_at=add_months(timezone.now(), -(months + months_more)) - timedelta(days=days),
        )


def with_more_to_purge(state) -> None:
    """An action, a coach's comment on the point and stored PDFs for the main engagement."""
    cast, main = state.cast, state.main
    with practice_context(cast.practice):
        session = CoachingSession.objects.get(engagement=main, number=1)
        ActionItem.objects.create(session=session, engagement=main, text="ACME-COACHEE2-ACTION call the board")
        MeasurementPoint.objects.filter(engagement=main).update(coach_comment="ACME-COACH1-POINT-COMMENT")
        for kind in ("contracts", "progress"):
            default_storage.save(f"practices/{cast.practice.pk}/{kind}/{main.pk}/stored.pdf", ContentFile(b"%PDF-1.7"))


def figures(sponsor) -> dict:
    """Every number the sponsor's and the practice admin's dashboards show, by engagement: the rows'
    annotations, the points' statuses and response rates, each objective's scores by role and its
    results, the stage counts, points due, coaches' loads, and the CSV's columns but the names."""
    sponsor = Viewer.of(sponsor)
    sponsored = list(dashboards.sponsored_engagements(sponsor))
    practice = list(dashboards.engagements_by_track())
    numbers = {}
    for label, rows in (("sponsor", dashboards.rows_for(sponsored, sponsor=sponsor)),
                        ("practice", dashboards.rows_for(practice, trends=False))):
        for row in rows:
            e = row.engagement
            numbers[label, e.pk] = {
                "row": (e.stage, e.sessions_used, e.sessions_contracted, e.latest_status, e.latest_status_reason,
                        e.latest_point_kind, row.status_label, row.progress.describe_next()),
                "points": [(p.kind, p.status, p.status_reason, str(p.closed_at), p.computation) for p in row.progress.points],
                "stakeholders": row.progress.stakeholder_rates,
                "trends": [
                    (t.objective.position, t.objective.baseline, t.objective.target, t.objective.raters, t.scores,
                     {kind: (str(r.score), str(r.expected), r.status, r.reason) for kind, r in t.results.items()})
                    for t in row.progress.trends
                ],
            }
    table = list(csv.reader(io.StringIO("\n".join(
        ",".join(str(cell) for cell in line[2:]) for line in dashboards.csv_rows(dashboards.sponsored_engagements(sponsor))
    ))))
    loads = [(load.coach.pk, load.capacity, load.load, load.held_this_month) for load in dashboards.coach_loads()]
    return {"rows": numbers, "csv": sorted(table), "stages": dashboards.stage_counts(),
            "due": dashboards.points_due_counts(require_practice()), "loads": loads}


def test_a_completed_engagement_past_its_retention_is_purged_and_left_anonymous(acme_coached, globex_coached):
    state = acme_coached
    cast, main, other = state.cast, state.main, state.other
    with_more_to_purge(state)
    complete_past_retention(cast, main)
    with practice_context(cast.practice):
        hashes = dict(ContractVersion.objects.filter(engagement=main).values_list("pk", "text_sha256"))
        scores = sorted(Rating.objects.filter(point__engagement=main).values_list("role", "score"))
        attendance = list(CoachingSession.objects.filter(engagement=main).values_list("number", "attendance", "counts_as_used"))
        assert purge_expired_records().engagements == 1

        engagement = Engagement.objects.select_related("coachee").get(pk=main.pk)
        assert engagement.coachee.full_name == ANONYMOUS_COACHEE and not engagement.coachee.is_active
        assert engagement.objectives == engagement.hopes == "" and engagement.purged_at is not None
        assert engagement.stage == "completed" and engagement.coach == cast.coach
        assert not ChemistryCall.objects.filter(engagement=main).exclude(coach_notes="").exists()
        sessions = CoachingSession.objects.filter(engagement=main)
        assert list(sessions.values_list("number", "attendance", "counts_as_used")) == attendance
        assert set(sessions.values_list("goals", "summary", "private_notes_ciphertext")) == {("", "", "")}
        assert not sessions.exclude(worked_on=[]).exists() and not sessions.filter(summary_shared_with_sponsor=True).exists()
        assert not ActionItem.objects.filter(engagement=main).exists()
        assert not CoacheeReflection.objects.filter(engagement=main).exists()
        ratings = Rating.objects.filter(point__engagement=main)
        assert sorted(ratings.values_list("role", "score")) == scores and set(ratings.values_list("comment", flat=True)) == {""}
        assert not ratings.filter(rater=cast.coachee2).exists()
        assert not RatingRevision.objects.filter(rating__point__engagement=main).exists()
        assert not MeasurementPoint.objects.filter(engagement=main).exclude(coach_comment="").exists()
        # The contract: number, package and hash kept; text, names and acceptance records gone.
        versions = ContractVersion.objects.filter(engagement=main)
        assert dict(versions.values_list("pk", "text_sha256")) == hashes
        for version in versions:
            assert version.purged_at is not None and version.rendered_text == "" and version.snapshot == {}
            assert version.coachee_id == engagement.coachee_id and version.sponsor == cast.sponsor
            assert all(text == "" for _, _, text in version.sections())
        assert not Acceptance.objects.filter(version__engagement=main).exists()
        assert set(Objective.objects.filter(version__engagement=main).values_list("description", flat=True)) <= {
            f"Objective {n}" for n in range(1, 10)
        }
        assert not default_storage.exists(f"practices/{cast.practice.pk}/contracts/{main.pk}/stored.pdf")
        assert not default_storage.exists(f"practices/{cast.practice.pk}/progress/{main.pk}/stored.pdf")
        # The coachee had nothing else here: their contact details went too.
        cast.coachee2.refresh_from_db()
        assert cast.coachee2.full_name == "Former coachee 1" and not cast.coachee2.is_active
        assert "record-keeping period" in ErasureRequest.objects.get(person=cast.coachee2).reason
        # One audit line, naming nobody.
        line = AuditEntry.objects.get(action="records.purged")
        assert line.subject.startswith(f"Engagement {main.pk} (completed ") and line.actor is None
        assert line.details["account"] == "anonymised as Former coachee 1"
        assert line.details["acceptances"] == 3 and line.details["contract_versions"] == 1 and line.details["pdfs"] == 2
        assert line.details["sessions"] == 3 and line.details["actions"] == 1 and line.details["reflections"] == 1
        assert "Coachee2" not in str(line.details) and "COACHEE2" not in str(line.details)
        # The other engagement is not past its period: untouched. A second run purges nothing more.
        assert Engagement.objects.get(pk=other.pk).objectives.startswith("ACME-COACHEE1")
        assert purge_expired_records().engagements == 0
        assert AuditEntry.objects.filter(action="records.purged").count() == 1
    with practice_context(globex_coached.cast.practice):
        assert Engagement.objects.get(pk=globex_coached.main.pk).purged_at is None


def test_the_dashboards_read_the_same_numbers_before_and_after(acme_coached):
    cast, main = acme_coached.cast, acme_coached.main
    complete_past_retention(cast, main)
    with practice_context(cast.practice):
        before = figures(cast.sponsor)
        assert ("sponsor", main.pk) in before["rows"] and ("practice", main.pk) in before["rows"]
        assert purge_expired_records().engagements == 1
        assert figures(cast.sponsor) == before
    for user, url in ((cast.sponsor, "/dashboard/sponsor/"), (cast.admin, "/practice/dashboard/"),
                      (cast.sponsor, f"/dashboard/sponsor/engagements/{main.pk}/")):
        page = client_at(cast, user).get(url)
        assert page.status_code == 200 and ANONYMOUS_COACHEE in page.content.decode()
        assert "Coachee2 Acme" not in page.content.decode()


def test_a_coachee_with_other_coaching_here_keeps_their_account(acme_coached):
    cast, other = acme_coached.cast, acme_coached.other
    with practice_context(cast.practice):
        Engagement.objects.create(coachee=cast.coachee, objectives="A second programme")
    complete_past_retention(cast, other)
    with practice_context(cast.practice):
        assert purge_expired_records().engagements == 1
        cast.coachee.refresh_from_db()
        assert cast.coachee.full_name == "Coachee Acme" and cast.coachee.is_active
        assert AuditEntry.objects.get(action="records.purged").details["account"] == "kept: they have other coaching here"
        # Their purged engagement is no longer theirs: not in their export, not on their pages.
        data = contents.gather(cast.coachee)
        assert other.pk not in {e.pk for e in data.coachee_of} and not data.versions
    assert client_at(cast, cast.coachee).get(f"/engagements/{other.pk}/sessions/").status_code == 404


def test_the_pages_of_a_purged_contract_version_say_what_went_and_when(acme_coached):
    cast, main = acme_coached.cast, acme_coached.main
    complete_past_retention(cast, main)
    with practice_context(cast.practice):
        purge_expired_records()
        version = ContractVersion.objects.get(engagement=main, status="accepted")
    for user in (cast.admin, cast.sponsor, cast.coach):
        client = client_at(cast, user)
        page = client.get(f"/contracts/{version.pk}/").content.decode()
        assert 'id="purged"' in page and "record-keeping period" in page and version.text_sha256 in page
        assert f"/contracts/{version.pk}/pdf/" not in page and "ACME-" not in page
        pdf = client.get(f"/contracts/{version.pk}/pdf/")
        assert pdf.status_code == 410 and "There is no PDF of this version any more" in pdf.content.decode()
    assert client_at(cast, cast.admin).get(f"/engagements/{main.pk}/contract/").status_code == 200


def test_a_sponsors_export_lists_the_purged_version_without_its_text(acme_coached, settings):
    cast, main = acme_coached.cast, acme_coached.main
    complete_past_retention(cast, main)
    with practice_context(cast.practice):
        purge_expired_records()
        files = unzip(export_zip(cast.sponsor))
    listed = next(v for v in json.loads(files["contracts/contracts.json"]) if v["engagement"] == main.pk)
    assert listed["purged_at"] and listed["pdf"] is None and listed["acceptances"] == []
    assert not any(name.startswith(f"contracts/engagement-{main.pk}-") for name in files)
    assert "Coachee2" not in texts(files) and "ACME-COACHEE2" not in texts(files)


def refused(statement: str, params: list, error=DatabaseError) -> str:
    with pytest.raises(error) as raised, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    return str(raised.value)


def test_the_app_role_changes_contract_records_only_through_the_purge_once_the_period_ended(acme_coached, globex_coached):
    cast, main = acme_coached.cast, acme_coached.main
    with practice_context(cast.practice):
        version = ContractVersion.objects.get(engagement=main, status="accepted")
        acceptance = Acceptance.objects.filter(version=version).first()
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'engagements_contractversion'")
            app_role, owner = cursor.fetchone()
        assert app_role != owner  # the tests run as the app's role, as the app does
        # Directly, the app's role may not empty a version, mark it purged, or touch its acceptances.
        for statement in (
            "UPDATE engagements_contractversion SET rendered_text = '' WHERE id = %s",
            "UPDATE engagements_contractversion SET purged_at = now() WHERE id = %s",
            "UPDATE engagements_contractversion SET coachee_id = coach_id WHERE id = %s",
        ):
            assert "cannot be edited" in refused(statement, [version.pk], IntegrityError)
        assert "cannot be changed or deleted" in refused("DELETE FROM engagements_acceptance WHERE id = %s", [acceptance.pk], IntegrityError)
        assert "cannot change" in refused(
            "UPDATE engagements_objective SET description = 'x' WHERE version_id = %s", [version.pk], IntegrityError,
        )
        # Through the purge function, not while the record-keeping period runs (completed just now) ...
        anonymous = anonymous_coachee()
        with pytest.raises(DatabaseError, match="record-keeping period has not ended"), transaction.atomic():
            purge_contract_records(main, anonymous_coachee=anonymous)
    # ... nor for another practice's engagement, which it cannot see ...
    complete_past_retention(globex_coached.cast, globex_coached.main)
    with practice_context(cast.practice), pytest.raises(DatabaseError, match="has not ended"), transaction.atomic():
        purge_contract_records(globex_coached.main, anonymous_coachee=anonymous)
    # ... nor handing the contract to an account that can sign in.
    complete_past_retention(cast, main)
    with practice_context(cast.practice):
        with pytest.raises(DatabaseError, match="cannot sign in"), transaction.atomic():
            purge_contract_records(main, anonymous_coachee=cast.coach)
        assert ContractVersion.objects.get(pk=version.pk).purged_at is None
        # Once the period has ended, the function (and only it) empties the version.
        assert purge_contract_records(main, anonymous_coachee=anonymous) == 1
        version.refresh_from_db()
        assert version.purged_at is not None and version.rendered_text == "" and version.coachee == anonymous
        assert not Acceptance.objects.filter(version=version).exists()
        # Purged, it is still frozen against the app's role.
        assert "cannot be edited" in refused(
            "UPDATE engagements_contractversion SET rendered_text = 'forged' WHERE id = %s", [version.pk], IntegrityError,
        )
    with practice_context(globex_coached.cast.practice):
        assert ContractVersion.objects.get(engagement=globex_coached.main, status="accepted").purged_at is None


def test_contract_records_kept_at_erasure_go_with_the_retention_purge(acme_coached):
    from records import erasure

    cast, main = acme_coached.cast, acme_coached.main
    page = client_at(cast, cast.admin).get(f"/practice/data-requests/people/{cast.coachee2.pk}/erase/").content.decode()
    assert "The daily retention purge removes them when that period ends." in page
    with practice_context(cast.practice):
        erasure.erase_person(person=cast.coachee2, actor=cast.admin)
        version = ContractVersion.objects.get(engagement=main, status="accepted")
        assert Acceptance.objects.filter(party=cast.coachee2).count() == 1 and "Coachee2 Acme" in version.rendered_text
    complete_past_retention(cast, main)
    with practice_context(cast.practice):
        assert purge_expired_records().engagements == 1
        version.refresh_from_db()
        assert not Acceptance.objects.filter(party=cast.coachee2).exists()
        assert version.rendered_text == "" and version.snapshot == {} and version.coachee != cast.coachee2
        assert AuditEntry.objects.get(action="records.purged").details["account"] == "already anonymised"


def test_every_page_of_a_purged_engagement_still_opens_for_those_who_may_see_it(acme_coached):
    cast, main = acme_coached.cast, acme_coached.main
    complete_past_retention(cast, main)
    with practice_context(cast.practice):
        purge_expired_records()
        point = MeasurementPoint.objects.filter(engagement=main, closed_at__isnull=False).first()
    pages = [f"/engagements/{main.pk}/{page}" for page in (
        "sessions/", "progress/", f"progress/points/{point.pk}/", "contract/", "stakeholders/",
    )]
    for user, urls in ((cast.admin, [*pages, f"/reminders/engagements/{main.pk}/", "/practice/chemistry-calls/"]),
                       (cast.coach, pages), (cast.sponsor, [f"/engagements/{main.pk}/progress/", "/dashboard/sponsor/"])):
        client = client_at(cast, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user, url, response.status_code)
            assert "ACME-COACHEE2" not in response.content.decode() and "Coachee2 Acme" not in response.content.decode()
