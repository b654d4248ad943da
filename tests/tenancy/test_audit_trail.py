"""The audit trail: sign-ins and changes write entries with where they came from; admins read,
filter and download them at /practice/audit/; the database keeps them append-only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachhub.tenancy import audit, services
from coachhub.tenancy.models import AuditEntry
from tests.conftest import client_at

pytestmark = pytest.mark.django_db


def _entry(*, action: str, subject: str, actor=None, days_ago: int = 0) -> AuditEntry:
    """An entry written `days_ago` days ago, as the service would have written it then."""
    when = timezone.now() - timedelta(days=days_ago)
    with mock.patch("django.utils.timezone.now", return_value=when):
        return audit.record(actor=actor, action=action, subject=subject)


def test_signing_in_at_a_practice_writes_an_entry_with_the_address(acme, in_practice):
    client_at(acme, acme.coach)
    with in_practice(acme):
        entry = AuditEntry.objects.get(action=audit.SIGN_IN)
    assert entry.actor == acme.coach and entry.subject == "{person}" and entry.people == {"person": acme.coach.pk}
    assert entry.ip_address == "127.0.0.1"


def test_a_change_made_in_a_request_records_where_it_came_from(acme, in_practice):
    client = client_at(acme, acme.admin)
    response = client.post(f"/practice/people/{acme.coach2.pk}/", {"roles": ["coach", "sponsor"],
                           "client_organisation": acme.organisation.pk}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    with in_practice(acme):
        granted = AuditEntry.objects.get(action="membership.granted")
    assert granted.actor == acme.admin and granted.ip_address == "203.0.113.9"


def test_the_app_role_cannot_change_or_delete_an_entry(acme, in_practice):
    with in_practice(acme):
        entry = audit.record(actor=acme.admin, action="practice.updated", subject="Acme Coaching")
        for statement in (
            "UPDATE tenancy_auditentry SET subject = 'nothing happened' WHERE id = %s",
            "DELETE FROM tenancy_auditentry WHERE id = %s",
        ):
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement, [entry.pk])
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(action="nothing")
        entry.refresh_from_db()
        assert entry.subject == "Acme Coaching" and entry.action == "practice.updated"


def test_the_purge_takes_sign_ins_older_than_90_days_and_nothing_else(acme, globex, in_practice):
    with in_practice(acme):
        old = _entry(action=audit.SIGN_IN, subject="old", actor=acme.coach, days_ago=91)
        recent = _entry(action=audit.SIGN_IN, subject="recent", actor=acme.coach, days_ago=89)
        old_change = _entry(action="contract.accepted", subject="kept", actor=acme.coach, days_ago=400)
    with in_practice(globex):
        elsewhere = _entry(action=audit.SIGN_IN, subject="globex", actor=globex.coach, days_ago=91)
    with in_practice(acme):
        assert audit.purge_sign_ins() == 1
        assert set(AuditEntry.objects.values_list("pk", flat=True)) >= {recent.pk, old_change.pk}
        assert not AuditEntry.objects.filter(pk=old.pk).exists()
        line = AuditEntry.objects.get(action="records.purged")
        assert line.subject == "sign-in records of {person}" and line.people == {"person": acme.coach.pk}
        assert line.details["count"] == 1
    with in_practice(globex):
        assert AuditEntry.objects.filter(pk=elsewhere.pk).exists()


def test_admins_read_the_trail_newest_first_with_who_what_where(acme, in_practice):
    client = client_at(acme, acme.admin)
    with in_practice(acme):
        services.set_roles(user=acme.coach2, roles={"coach", "admin"}, actor=acme.admin)
    page = client.get("/practice/audit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Membership granted" in text and f"{acme.coach2.full_name} as Practice admin" in text
    assert "Account signed in" in text and "127.0.0.1" in text
    assert text.index("Membership granted") < text.index("Account signed in")


@pytest.mark.parametrize("who", ["coach", "coachee", "sponsor"])
def test_only_admins_see_the_trail(acme, who):
    client = client_at(acme, getattr(acme, who))
    assert client.get("/practice/audit/").status_code == 404
    assert client.get("/practice/audit/export.csv").status_code == 404


def test_another_practices_entries_are_never_listed(acme, globex, in_practice):
    with in_practice(globex):
        audit.record(actor=globex.admin, action="practice.updated", subject="Globex secret change")
    client = client_at(acme, acme.admin)
    assert b"Globex secret change" not in client.get("/practice/audit/").content
    assert b"Globex secret change" not in client.get("/practice/audit/export.csv").content


def test_filters_by_person_kind_and_date(acme, in_practice):
    with in_practice(acme):
        _entry(action="contract.accepted", subject="contract of coachee", actor=acme.coachee, days_ago=10)
        _entry(action="contract.sent", subject="sent by coach", actor=acme.coach, days_ago=3)
        _entry(action="coaching_session.booked", subject="session by coach", actor=acme.coach, days_ago=1)
    client = client_at(acme, acme.admin)
    by_person = client.get("/practice/audit/", {"person": acme.coach.email.upper()}).content.decode()
    assert "sent by coach" in by_person and "session by coach" in by_person and "contract of coachee" not in by_person
    by_kind = client.get("/practice/audit/", {"kind": "contract"}).content.decode()
    assert "sent by coach" in by_kind and "contract of coachee" in by_kind and "session by coach" not in by_kind
    today = timezone.localdate()
    by_date = client.get("/practice/audit/", {"since": (today - timedelta(days=5)).isoformat(),
                                              "until": (today - timedelta(days=2)).isoformat()}).content.decode()
    assert "sent by coach" in by_date and "session by coach" not in by_date and "contract of coachee" not in by_date


@pytest.mark.parametrize("query", [
    {"kind": "no-such-kind"}, {"since": "2026-13-45"}, {"person": "not an email"},
    {"since": "2026-05-02", "until": "2026-05-01"}, {"page": "x"}, {"person": "a" * 400 + "@x.test"},
])
def test_bad_filters_are_shown_not_a_500(acme, query):
    response = client_at(acme, acme.admin).get("/practice/audit/", query)
    assert response.status_code == 200
    if "page" not in query:
        assert b'class="form-errors"' in response.content


def test_the_csv_has_the_filtered_entries_in_utc_and_is_formula_safe(acme, in_practice):
    with in_practice(acme):
        audit.record(actor=acme.coach, action="coach_profile.updated", subject="=HYPERLINK(\"http://evil\")", field="headline")
        audit.record(actor=acme.coachee, action="contract.accepted", subject="not in the filter")
    response = client_at(acme, acme.admin).get("/practice/audit/export.csv", {"kind": "coach_profile"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["When (UTC)", "Who", "Who (email)", "What"]
    assert len(rows) == 2
    when, name, email, what, action, subject, address, details = rows[1]
    assert when.endswith("+00:00") and email == acme.coach.email and action == "coach_profile.updated"
    assert subject.startswith("'=") and details == '{"field": "headline"}'


def test_the_page_takes_as_many_queries_for_120_entries_as_for_3(acme, in_practice):
    """Also with every entry naming other people, and invitations, whose names are read by id."""
    client = client_at(acme, acme.admin)
    people = (acme.coach, acme.coach2, acme.coachee, acme.coachee2, acme.sponsor, acme.admin)
    counts = []
    for total in (3, 120):
        with in_practice(acme):
            for number in range(total - AuditEntry.objects.count()):
                actor = (acme.coach, acme.coachee, acme.sponsor, None)[number % 4]
                if number % 3 == 0:  # an entry naming an invitation by id ("invitation.sent")
                    services.invite_person(email=f"new{number}@example.com", role="coachee", invited_by=actor,
                                           base_url="https://acme.test")
                else:
                    audit.record(actor=actor, action="contract.sent", subject=f"entry {number}: {{a}} for {{b}}",
                                 people={"a": people[number % 6], "b": people[(number + 1) % 6]})
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/practice/audit/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_daily_retention_job_purges_old_sign_ins(acme, in_practice):
    from records import retention

    with in_practice(acme):
        _entry(action=audit.SIGN_IN, subject="old", actor=acme.coachee, days_ago=120)
    retention.purge_expired_records(practice=acme.practice)
    with in_practice(acme):
        assert not AuditEntry.objects.filter(action=audit.SIGN_IN).exists()
        assert AuditEntry.objects.filter(action="records.purged", details__person=acme.coachee.pk).exists()
