"""`seed_scale` copies whole practices in as the tables' owner: each row in its own practice, Row-Level
Security forced again afterwards, nothing added twice, and the scaled people can use the app."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.utils.html import escape

from coachhub.accounts.models import User
from coachhub.roster.models import Booking, CoachProfile
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Membership, Practice
from demo.journey import DEMO_PASSWORD
from demo.scale import tables as scale_tables
from engagements.models import ContractVersion, Engagement
from measurement.models import MeasurementPoint, Rating
from reminders.models import Reminder
from sessions.models import CoachingSession
from tests.tenancy.test_row_level_security import tenant_tables

# Committed by another connection (the owner's), so the tables are emptied after each test.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "owner"])

COUNTED = [Membership, CoachProfile, Engagement, Booking, ContractVersion, CoachingSession, MeasurementPoint, Rating, Reminder]


@pytest.fixture
def owner_alias_as_application_role():
    """DATABASE_OWNER_URL naming the application role by mistake (the suite's "owner" alias is the
    tables' owner on the test database, as the conftest migrates it)."""
    owner = connections["owner"]
    configured = owner.settings_dict
    owner.close()
    owner.settings_dict = {**configured, "USER": connection.settings_dict["USER"], "PASSWORD": connection.settings_dict["PASSWORD"]}
    yield
    owner.close()
    owner.settings_dict = configured


def seed(practices: int = 2) -> str:
    out = io.StringIO()
    call_command("seed_scale", practices=practices, stdout=out)
    return out.getvalue()


def counts() -> dict:
    """Rows per scaled practice and model, as the application role sees them in each practice."""
    seen = {}
    for practice in Practice.objects.filter(slug__startswith="scale-").order_by("slug"):
        with practice_context(practice):
            seen[practice.slug] = {model.__name__: model.objects.count() for model in COUNTED}
    return seen


def forced_tables() -> dict[str, bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)", [tenant_tables()])
        return dict(cursor.fetchall())


def test_a_second_run_adds_nothing():
    seed()
    first, people = counts(), User.objects.count()
    assert "nothing added" in seed()
    assert counts() == first and User.objects.count() == people
    assert list(first) == ["scale-0001", "scale-0002"]
    assert first["scale-0001"]["Membership"] == 1 + 20 + 5 + 50  # admin, coaches, sponsors, coachees
    assert first["scale-0001"]["CoachProfile"] == 20 and first["scale-0001"]["Engagement"] == 50
    assert first["scale-0001"]["CoachingSession"] == 40 * 8  # completed and active engagements, eight sessions each
    assert people == 2 * 76


def test_each_row_lands_in_its_own_practice_and_the_app_sees_one_practice_at_a_time():
    seed()
    practices = list(Practice.objects.filter(slug__startswith="scale-").order_by("slug"))
    for practice in practices:
        with practice_context(practice):
            address = f"@{practice.slug}.example"
            assert all(email.endswith(address) for email in Membership.objects.values_list("user__email", flat=True))
            assert all(email.endswith(address) for email in Booking.objects.values_list("coach__email", flat=True))
            assert all(email.endswith(address) for email in Reminder.objects.values_list("recipient__email", flat=True))
            with connection.cursor() as cursor:  # raw SQL: Row-Level Security alone keeps the other practice out
                cursor.execute("SELECT DISTINCT practice_id FROM engagements_engagement")
                assert cursor.fetchall() == [(practice.pk,)]
                cursor.execute("SELECT count(*) FROM roster_booking")
                assert cursor.fetchone()[0] == Booking.objects.count()
    with transaction.atomic(), connection.cursor() as cursor:  # no practice: no tenant row at all
        cursor.execute("SELECT count(*) FROM engagements_engagement")
        assert cursor.fetchone()[0] == 0


def test_force_row_level_security_is_back_on_every_tenant_table():
    seed(1)
    assert forced_tables() and all(forced_tables().values())


def test_a_failed_batch_leaves_nothing_behind_and_force_on(monkeypatch):
    original = scale_tables.Table.copy_into

    def fail_at_reminders(table, cursor):
        if table.name == Reminder._meta.db_table:
            raise RuntimeError("the disk is full")
        return original(table, cursor)

    monkeypatch.setattr(scale_tables.Table, "copy_into", fail_at_reminders)
    with pytest.raises(RuntimeError):
        seed(1)
    assert not Practice.objects.filter(slug__startswith="scale-").exists()
    assert all(forced_tables().values())


def test_without_the_tables_owner_it_says_so(owner_alias_as_application_role):
    with pytest.raises(CommandError, match="DATABASE_OWNER_URL"):
        seed(1)


def test_the_contracts_went_through_their_triggers_and_stay_frozen():
    seed(1)
    out = io.StringIO()
    call_command("verify_contract_hashes", "--practice", "scale-0001", stdout=out)
    assert out.getvalue().rstrip().endswith(", 0 mismatch(es).")
    with practice_context(Practice.objects.get(slug="scale-0001")):
        statuses = {status: ContractVersion.objects.filter(status=status).count() for status in ("draft", "sent", "accepted")}
        assert statuses == {"draft": 1, "sent": 3, "accepted": 40}
        accepted = ContractVersion.objects.filter(status="accepted").first()
        assert accepted.acceptances.count() == 3 and accepted.objectives.exists()
        with pytest.raises(IntegrityError), transaction.atomic():
            ContractVersion.objects.filter(pk=accepted.pk).update(rendered_text="Something else")


def test_a_scaled_coach_signs_in_and_sees_their_coachees():
    seed(1)
    practice = Practice.objects.get(slug="scale-0001")
    with practice_context(practice):
        engagement = Engagement.objects.filter(stage="active").select_related("coach", "coachee").first()
    client = Client(HTTP_HOST=practice.host)
    response = client.post("/accounts/login/", {"login": engagement.coach.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert "Welcome," in home and escape(engagement.coachee.full_name) in home
