"""Erasing a person: refused with the reason while anything is active, booked, being sent or they are the
last admin; otherwise anonymised in place, free text and private notes gone, contracts kept with their
hashes, nothing of anyone else lost."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from coachhub.accounts.events import PersonErased
from coachhub.roster.models import Booking
from coachhub.tenancy import audit, events
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import AuditEntry, Membership, Role
from engagements.models import Acceptance, ContractVersion, Engagement
from measurement.models import Rating
from records import erasure
from records.models import ErasureRequest
from reminders.models import Reminder
from sessions.models import CoacheeReflection, CoachingSession
from tests.conftest import PASSWORD, client_at, make_user
from tests.records.conftest import coached

pytestmark = pytest.mark.django_db


def erase_url(user) -> str:
    return f"/practice/data-requests/people/{user.pk}/erase/"


def reminder(cast, recipient, *, state="pending", due_in=timedelta(0)) -> Reminder:
    now = timezone.now()
    fields = {"claim": uuid.uuid4(), "claimed_at": now} if state == "sending" else {}
    with practice_context(cast.practice):
        return Reminder.objects.create(
            kind="action_due", subject=f"test:{uuid.uuid4().hex[:8]}", recipient=recipient,
            due_at=now + due_in, next_attempt_at=now + due_in, state=state, **fields,
        )


@pytest.fixture
def announced():
    """The PersonErased events published during the test."""
    seen: list[PersonErased] = []
    handler = seen.append
    events._subscribers.setdefault(PersonErased, []).append(handler)
    yield seen
    events._subscribers[PersonErased].remove(handler)


def test_erasure_is_refused_while_the_person_has_an_active_engagement(acme):
    state = coached(acme, complete=False)
    admin = client_at(acme, acme.admin)
    page = admin.get(erase_url(acme.coachee2))
    assert page.status_code == 200 and "has an active engagement" in page.content.decode()
    refused = admin.post(erase_url(acme.coachee2), follow=True)
    assert refused.status_code == 200 and "has an active engagement" in refused.content.decode()
    with practice_context(acme.practice):
        assert Engagement.objects.get(pk=state.main.pk).objectives.startswith("ACME-COACHEE2-OBJECTIVES")
        acme.coachee2.refresh_from_db()
        assert acme.coachee2.full_name == "Coachee2 Acme" and acme.coachee2.is_active


def test_erasure_is_refused_while_the_person_has_upcoming_bookings(acme_coached):
    cast = acme_coached.cast
    starts = timezone.now() + timedelta(days=3)
    with practice_context(cast.practice):
        Booking.objects.create(coach=cast.coach2, kind=Booking.Kind.COACHING, starts_at=starts,
                               ends_at=starts + timedelta(hours=1), blocked=DateTimeTZRange(starts, starts + timedelta(hours=1), "[)"))
        assert "upcoming bookings" in erasure.plan_erasure(cast.coach2).refusal
        with pytest.raises(ValidationError, match="upcoming bookings"):
            erasure.erase_person(person=cast.coach2, actor=cast.admin)


def test_erasure_of_the_last_admin_is_refused(acme):
    with pytest.raises(CommandError, match="last admin"):
        call_command("erase_person", practice="acme", email=acme.admin.email, yes=True)
    with practice_context(acme.practice):
        assert Membership.objects.get(user=acme.admin).is_active
        second = make_user("admin2@acme.test", "Second Admin")
        Membership.objects.create(user=second, role=Role.ADMIN)
    call_command("erase_person", practice="acme", email=acme.admin.email, yes=True)
    acme.admin.refresh_from_db()
    assert acme.admin.full_name == "Former member 1"


def test_the_command_needs_yes_and_names_the_refusal(acme_coached, capsys):
    cast = acme_coached.cast
    with pytest.raises(CommandError, match="add --yes"):
        call_command("erase_person", practice="acme", email=cast.coachee2.email)
    with pytest.raises(CommandError, match="Nobody with that email address"):
        call_command("erase_person", practice="acme", email="nobody@acme.test", yes=True)
    with pytest.raises(CommandError, match="No practice with slug"):
        call_command("erase_person", practice="nowhere", email=cast.coachee2.email, yes=True)
    call_command("erase_person", practice="acme", email=cast.coachee2.email, yes=True)
    assert "Former coachee 1" in capsys.readouterr().out


def test_erasure_while_a_reminder_is_being_sent_to_them_is_refused_clearly(acme_coached):
    cast = acme_coached.cast
    reminder(cast, cast.coachee2, state="sending")
    with practice_context(cast.practice):
        assert "being sent right now" in erasure.plan_erasure(cast.coachee2).refusal


def test_erasure_while_a_reminder_for_them_is_due_cancels_theirs_and_no_one_elses(acme_coached):
    cast = acme_coached.cast
    theirs, others = reminder(cast, cast.coachee2), reminder(cast, cast.coachee)
    admin = client_at(cast, cast.admin)
    page = admin.get(erase_url(cast.coachee2)).content.decode()
    assert "the 1 reminder due to them will not be sent" in page
    assert admin.post(erase_url(cast.coachee2)).status_code == 302
    with practice_context(cast.practice):
        theirs.refresh_from_db()
        others.refresh_from_db()
    assert theirs.state == "cancelled" and others.state == "pending"


def test_the_confirmation_page_states_the_legal_basis_for_what_is_kept(acme_coached):
    page = client_at(acme_coached.cast, acme_coached.cast.admin).get(erase_url(acme_coached.cast.coachee2))
    text = page.content.decode()
    assert "Article 17(3)(b)" in text and "record-keeping period" in text
    assert "1 contract version they answered is kept" in text


def test_erasure_anonymises_the_person_and_removes_what_they_wrote(acme_coached, globex_coached, announced):
    cast, main, other = acme_coached.cast, acme_coached.main, acme_coached.other
    person = cast.coachee2
    with practice_context(cast.practice):
        audit.record(actor=person, action=audit.SIGN_IN, subject=person)
        trail = {e.pk: (e.subject, e.people, e.details) for e in AuditEntry.objects.all()}
        assert any("Coachee2 Acme" in e.shown_subject for e in audit.name_people(AuditEntry.objects.all()))
    with practice_context(cast.practice):
        kept = {v.pk: v.text_sha256 for v in ContractVersion.objects.filter(coachee=person)}
        other_notes = list(CoachingSession.objects.filter(engagement=other).values_list("private_notes_ciphertext", flat=True))
    response = client_at(cast, cast.admin).post(erase_url(person), follow=True)
    assert "Former coachee 1" in response.content.decode()
    person.refresh_from_db()
    assert person.full_name == "Former coachee 1" and person.email == "former-coachee-1@acme.erased.invalid"
    assert not person.is_active and not person.has_usable_password()
    assert client_at(cast).post("/accounts/login/", {"login": "coachee2@acme.test", "password": PASSWORD}).status_code != 302
    with practice_context(cast.practice):
        assert not Membership.objects.filter(user=person, is_active=True).exists()
        engagement = Engagement.objects.get(pk=main.pk)
        assert engagement.objectives == "" and engagement.hopes == ""
        assert not CoacheeReflection.objects.filter(author=person).exists()
        assert set(Rating.objects.filter(rater=person).values_list("comment", flat=True)) == {""}
        assert not CoachingSession.objects.filter(engagement=main).exclude(private_notes_ciphertext="").exists()
        # Kept: the contract versions and acceptances, with their hashes.
        assert {v.pk: v.text_sha256 for v in ContractVersion.objects.filter(coachee=person)} == kept
        assert Acceptance.objects.filter(party=person).count() == 1
        # Nothing of anyone else lost.
        assert CoacheeReflection.objects.filter(author=cast.coachee).count() == 1
        assert list(CoachingSession.objects.filter(engagement=other).values_list("private_notes_ciphertext", flat=True)) == other_notes
        assert Rating.objects.filter(rater=cast.sponsor).exclude(comment="").exists()
        assert ErasureRequest.objects.get(person=person).label == "Former coachee 1"
        # The audit trail keeps what was done, unchanged, and shows the label where it names them.
        assert {e.pk: (e.subject, e.people, e.details) for e in AuditEntry.objects.filter(pk__in=trail)} == trail
        shown = [e.shown_subject for e in audit.name_people(AuditEntry.objects.all())]
        assert not any("Coachee2 Acme" in s or "coachee2@acme.test" in s for s in shown)
        assert "Session 1 of Former coachee 1" in shown
        entry = AuditEntry.objects.get(action="records.person_erased")
        assert entry.subject == "Former coachee 1" and "Coachee2" not in str(entry.details)
    with practice_context(globex_coached.cast.practice):
        assert CoacheeReflection.objects.filter(author=globex_coached.cast.coachee2).count() == 1
    assert [(e.label, e.user_id) for e in announced] == [("Former coachee 1", person.pk)]


def test_a_person_who_also_belongs_to_another_practice_is_not_anonymised_from_here(acme_coached, globex):
    cast = acme_coached.cast
    with practice_context(globex.practice):
        Membership.objects.create(user=cast.coachee2, role=Role.COACHEE)
    with practice_context(cast.practice):
        assert "also belongs to another practice" in erasure.plan_erasure(cast.coachee2).refusal


def test_a_person_asks_to_be_erased_and_the_request_lands_on_the_admins_list(acme, globex):
    client = client_at(acme, acme.coachee2)
    page = client.post("/accounts/data/", {"ask": "erasure"}, follow=True).content.decode()
    assert "Your request to be erased is with the practice" in page and "You asked to be erased on" in page
    again = client.post("/accounts/data/", {"ask": "erasure"}, follow=True).content.decode()
    assert "already asked to be erased" in again
    listing = client_at(acme, acme.admin).get("/practice/data-requests/").content.decode()
    assert "Coachee2 Acme" in listing and erase_url(acme.coachee2) in listing
    assert "Coachee2 Acme" not in client_at(globex, globex.admin).get("/practice/data-requests/").content.decode()
    with practice_context(acme.practice):
        request = ErasureRequest.objects.get()
    assert client_at(globex, globex.admin).post(f"/practice/data-requests/{request.pk}/decline/").status_code == 404
    assert client_at(globex, globex.admin).get(erase_url(acme.coachee2)).status_code == 404
    assert client_at(acme, acme.coach).get(erase_url(acme.coachee2)).status_code == 404
    declined = client_at(acme, acme.admin).post(f"/practice/data-requests/{request.pk}/decline/", follow=True)
    assert "declined" in declined.content.decode()


def test_the_admins_list_keeps_a_constant_number_of_queries(acme, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = client_at(acme, acme.admin)
    client_at(acme, acme.coachee2).post("/accounts/data/", {"ask": "erasure"})
    with CaptureQueriesContext(connection) as queries:
        admin.get("/practice/data-requests/")
    for n in range(8):
        with practice_context(acme.practice):
            user = make_user(f"leaver{n}@acme.test")
            Membership.objects.create(user=user, role=Role.COACHEE)
            ErasureRequest.objects.create(person=user, requested_by=user)
    with django_assert_max_num_queries(len(queries)):
        assert admin.get("/practice/data-requests/").status_code == 200


def test_the_confirmation_page_keeps_a_constant_number_of_queries(acme, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coached(acme)
    admin = client_at(acme, acme.admin)
    reminder(acme, acme.coachee2, due_in=timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        assert admin.get(erase_url(acme.coachee2)).status_code == 200
    for n in range(2, 8):
        reminder(acme, acme.coachee2, due_in=timedelta(days=n))
    with django_assert_max_num_queries(len(queries)):
        assert admin.get(erase_url(acme.coachee2)).status_code == 200


def test_the_person_is_told_of_their_erasure_at_their_old_address(acme_coached, committed):
    from django.core import mail

    cast = acme_coached.cast
    with committed():
        client_at(cast, cast.admin).post(erase_url(cast.coachee2))
    told = [m for m in mail.outbox if m.to == ["coachee2@acme.test"]]
    assert len(told) == 1 and "You have been erased from Acme Coaching" in told[0].subject
    assert "Coachee2 Acme" in told[0].body  # addressed by the name it had, in the message only


def test_the_persons_page_leads_to_their_erasure(acme):
    page = client_at(acme, acme.admin).get(f"/practice/people/{acme.coachee2.pk}/").content.decode()
    assert erase_url(acme.coachee2) in page


def test_the_stakeholders_they_named_are_purged(acme_coached):
    from measurement.models import Nominee

    cast = acme_coached.cast
    with practice_context(cast.practice):
        named = Nominee.objects.create(engagement=acme_coached.main, group="Peers", name="Nora Nominee",
                                       email="nora@example.com", nominated_by=cast.coachee2, link_secret="s" * 32)
        kept = Nominee.objects.create(engagement=acme_coached.other, group="Peers", name="Kim Kept",
                                      email="kim@example.com", nominated_by=cast.coachee, link_secret="k" * 32)
        erasure.erase_person(person=cast.coachee2, actor=cast.admin)
        named.refresh_from_db()
        kept.refresh_from_db()
    assert (named.name, named.email, named.purged_at is not None) == ("", "", True)
    assert (kept.name, kept.email) == ("Kim Kept", "kim@example.com")


def test_erasing_someone_already_erased_is_refused(acme_coached):
    cast = acme_coached.cast
    with practice_context(cast.practice):
        erasure.erase_person(person=cast.coachee2, actor=cast.admin)
        cast.coachee2.refresh_from_db()
        assert erasure.plan_erasure(cast.coachee2).refusal == "This person has already been erased."
        with pytest.raises(ValidationError, match="already been erased"):
            erasure.erase_person(person=cast.coachee2, actor=cast.admin)
        assert ErasureRequest.objects.filter(person=cast.coachee2).count() == 1


def test_a_measurement_point_moved_for_them_keeps_the_move_without_its_reason(acme_coached):
    from measurement.models import MeasurementPoint, PointMove

    cast = acme_coached.cast
    with practice_context(cast.practice):
        point = MeasurementPoint.objects.filter(engagement=acme_coached.main).first()
        PointMove.objects.create(point=point, moved_by=cast.coach, from_after_sessions=3, to_after_sessions=4,
                                 reason="Coachee2 was off sick for a month.")
        erasure.erase_person(person=cast.coachee2, actor=cast.admin)
        assert list(PointMove.objects.filter(point=point).values_list("reason", flat=True)) == ["(removed)"]
