"""Leaders who never matched are purged `lead_retention_months` (a practice setting, default 12) after
their enquiry's last activity: what they wrote, the coaches' notes on the calls, and their contact
details when nothing else keeps them here; one audit line per lead; the dashboards' counts stay."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from coachhub.accounts.models import User
from coachhub.roster.models import Booking, CoachProfile
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import AuditEntry, Membership, Practice
from engagements.models import ChemistryCall, Engagement
from engagements.retention import add_months
from measurement import dashboards
from records.models import ErasureRequest
from records.retention import purge_expired_records
from records.tasks import enqueue_retention_purge
from reminders.models import Reminder
from tests.conftest import client_at
from tests.reminders.conftest import book_call, coach_profile

pytestmark = pytest.mark.django_db

LEAD = "lee.leader@example.com"


def age(cast, call: ChemistryCall, months: int, days: int = 1) -> None:
    """Move the call and its enquiry back in time, as if nothing had happened for `months` and `days`."""
    then = add_months(timezone.now(), -months) - timedelta(days=days)
    with practice_context(cast.practice):
        Booking.objects.filter(pk=call.booking_id).update(
            starts_at=then - timedelta(minutes=30), ends_at=then,
            blocked=DateTimeTZRange(then - timedelta(minutes=30), then, "[)"),
        )
        ChemistryCall.objects.filter(engagement=call.engagement_id).update(updated_at=then, coach_notes="Talked about the board.")
        Engagement.objects.filter(pk=call.engagement_id).update(updated_at=then, created_at=then, hopes="A calmer team")


def lead(cast, *, email: str = LEAD, months: int = 13, days: int = 1, coach=None) -> ChemistryCall:
    coach = coach or cast.coach
    with practice_context(cast.practice):
        profile = CoachProfile.objects.filter(user=coach).first()
    call = book_call(cast, profile or coach_profile(cast, coach), email=email)
    age(cast, call, months, days)
    return call


def test_a_lead_who_never_matched_is_purged_with_one_audit_line(acme):
    call = lead(acme)
    person = call.engagement.coachee
    with practice_context(acme.practice):
        assert purge_expired_records().leads == 1
        engagement = Engagement.objects.get(pk=call.engagement_id)
        assert engagement.objectives == "" and engagement.hopes == "" and engagement.purged_at is not None
        assert ChemistryCall.objects.get(pk=call.pk).coach_notes == ""
        person.refresh_from_db()
        assert person.full_name == "Former coachee 1" and LEAD not in person.email and not person.is_active
        assert not Membership.objects.filter(user=person, is_active=True).exists()
        erasure = ErasureRequest.objects.get(person=person)
        assert erasure.status == "erased" and "never matched" in erasure.reason and erasure.requested_by is None
        line = AuditEntry.objects.get(action="records.purged")
        assert line.subject == f"Engagement {engagement.pk} (a lead who never matched)"
        assert line.details["account"] == "anonymised as Former coachee 1"
        assert "the leader's contact details" in line.details["purged"] and line.details["lead_retention_months"] == 12
        # Their booking was audited with their email: the trail now says the label's address instead.
        assert not AuditEntry.objects.filter(subject__contains=LEAD).exists()
        assert not AuditEntry.objects.filter(subject__contains="Lee Leader").exists()
        assert purge_expired_records().leads == 0
        assert AuditEntry.objects.filter(action="records.purged").count() == 1
    assert not User.objects.filter(email=LEAD).exists()


def test_a_lead_inside_the_period_is_kept_and_the_practice_setting_decides(acme):
    call = lead(acme, months=11)
    with practice_context(acme.practice):
        assert purge_expired_records().leads == 0
        assert Engagement.objects.get(pk=call.engagement_id).objectives == "Lead my team."
    Practice.objects.filter(pk=acme.practice.pk).update(lead_retention_months=6)
    acme.practice.refresh_from_db()
    with practice_context(acme.practice):
        assert purge_expired_records().leads == 1
        assert AuditEntry.objects.get(action="records.purged").details["lead_retention_months"] == 6


def test_a_lead_with_a_call_still_to_come_is_kept(acme):
    call = lead(acme)
    # A second call, booked with another coach for next week, is activity.
    book_call(acme, coach_profile(acme, acme.coach2), email=LEAD, days_ahead=7)
    with practice_context(acme.practice):
        assert ChemistryCall.objects.filter(engagement=call.engagement_id).count() == 2
        assert purge_expired_records().leads == 0
        assert Engagement.objects.get(pk=call.engagement_id).purged_at is None


def test_a_matched_leader_is_not_a_lead(acme):
    call = lead(acme)
    with practice_context(acme.practice):
        Engagement.objects.filter(pk=call.engagement_id).update(stage="contracting", matched_at=timezone.now() - timedelta(days=500), coach=acme.coach)
        assert purge_expired_records().leads == 0
        assert Engagement.objects.get(pk=call.engagement_id).objectives == "Lead my team."


def test_a_lead_who_holds_another_role_keeps_their_account_and_may_come_back(acme):
    call = lead(acme, email=acme.sponsor.email)
    with practice_context(acme.practice):
        assert purge_expired_records().leads == 1
        assert Engagement.objects.get(pk=call.engagement_id).objectives == ""
        acme.sponsor.refresh_from_db()
        assert acme.sponsor.full_name == "Sponsor Acme" and acme.sponsor.is_active
        assert AuditEntry.objects.get(action="records.purged").details["account"] == "kept: they hold another role here"
        assert not ErasureRequest.objects.exists()
    # They book again: the purged enquiry comes back to life with what they write now.
    again = book_call(acme, coach_profile(acme, acme.coach2), email=acme.sponsor.email, days_ahead=9)
    with practice_context(acme.practice):
        engagement = Engagement.objects.get(pk=again.engagement_id)
        assert engagement.pk == call.engagement_id and engagement.objectives == "Lead my team." and engagement.purged_at is None


def test_the_dashboards_count_the_same_after_the_purge(acme):
    purged = lead(acme)
    kept = lead(acme, email="kim.recent@example.com", months=2, coach=acme.coach2)

    def counts():
        calls = ChemistryCall.objects.all()
        return (
            dashboards.stage_counts(), calls.count(),
            Counter(calls.values_list("status", "coach_outcome", "coach_id")),
        )

    with practice_context(acme.practice):
        before = counts()
        assert purge_expired_records().leads == 1
        assert counts() == before
    page = client_at(acme, acme.admin).get("/practice/chemistry-calls/").content.decode()
    # Both leaders booked as "Lee Leader": only the one still kept is named.
    assert "Former coachee 1" in page and page.count("Lee Leader") == 1
    assert kept.engagement.coachee.email != purged.engagement.coachee.email


def test_another_practice_is_untouched(acme, globex):
    lead(acme)
    elsewhere = lead(globex, email="gil.globex@example.com")
    assert enqueue_retention_purge.delay().get() == 2  # eager in tests: both practices' tasks ran
    with practice_context(globex.practice):
        assert Engagement.objects.get(pk=elsewhere.engagement_id).purged_at is not None
    with practice_context(acme.practice):
        assert AuditEntry.objects.filter(action="records.purged").count() == 1
    Practice.objects.filter(pk=globex.practice.pk).update(lead_retention_months=24)
    third = lead(globex, email="third@example.com", days=2)
    with practice_context(acme.practice):
        purge_expired_records()  # acme's run sees none of globex's leads
    with practice_context(globex.practice):
        assert Engagement.objects.get(pk=third.engagement_id).purged_at is None


def test_admins_set_the_period_on_the_settings_page_and_the_change_is_audited(acme):
    from tests.tenancy.test_practice_settings import settings_form

    client = client_at(acme, acme.admin)
    assert "Leads kept for (months)" in client.get("/practice/settings/").content.decode()
    response = client.post("/practice/settings/", settings_form(acme, lead_retention_months=18))
    assert response.status_code == 302
    acme.practice.refresh_from_db()
    assert acme.practice.lead_retention_months == 18
    with practice_context(acme.practice):
        assert AuditEntry.objects.get(action="practice.updated").details["changed"] == {"lead_retention_months": "18"}


@pytest.mark.parametrize("months", ["0", "121", "a year"])
def test_a_bad_period_is_explained_and_nothing_changes(acme, months):
    from tests.tenancy.test_practice_settings import settings_form

    response = client_at(acme, acme.admin).post("/practice/settings/", settings_form(acme, lead_retention_months=months))
    assert response.status_code == 422
    assert "errorlist" in response.content.decode() or "field-error" in response.content.decode()
    acme.practice.refresh_from_db()
    assert acme.practice.lead_retention_months == 12


def test_the_admins_list_shows_who_the_purge_anonymised_and_why(acme):
    lead(acme)
    with practice_context(acme.practice):
        purge_expired_records()
    page = client_at(acme, acme.admin).get("/practice/data-requests/").content.decode()
    assert "Former coachee 1" in page and "Nobody: the retention purge" in page and "never matched" in page
    assert not User.objects.filter(email=LEAD).exists()


def test_a_lead_is_purged_on_a_later_run_while_a_reminder_to_them_is_being_sent(acme):
    call = lead(acme)
    with practice_context(acme.practice):
        Reminder.objects.create(
            kind="chemistry_call_24h", subject="test:sending", recipient=call.engagement.coachee, due_at=timezone.now(),
            next_attempt_at=timezone.now(), state="sending", claim=uuid.uuid4(), claimed_at=timezone.now(),
        )
        assert purge_expired_records().leads == 0  # rolled back, nothing half done
        assert Engagement.objects.get(pk=call.engagement_id).objectives == "Lead my team."
        Reminder.objects.filter(subject="test:sending").update(state="sent", sent_at=timezone.now())
        assert purge_expired_records().leads == 1


def test_a_lead_is_purged_on_a_later_run_while_an_erasure_is_under_way(acme):
    call = lead(acme)
    holding, release = threading.Event(), threading.Event()

    def erasure_under_way():  # another connection holds the practice's erasure lock, as erase_person does
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(hashtext('records.erasure'), %s)", [acme.practice.pk])
                holding.set()
                release.wait(timeout=30)
                cursor.execute("SELECT pg_advisory_unlock(hashtext('records.erasure'), %s)", [acme.practice.pk])
        finally:
            connection.close()

    thread = threading.Thread(target=erasure_under_way)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        with practice_context(acme.practice):
            assert purge_expired_records().leads == 0  # did not wait (no deadlock): tried again later
            assert Engagement.objects.get(pk=call.engagement_id).purged_at is None
    finally:
        release.set()
        thread.join(timeout=30)
    with practice_context(acme.practice):
        assert purge_expired_records().leads == 1
