"""The audit trail names people by id: an entry keeps placeholders and ids, never a name or an email,
and shows each person's name as their account has it now. So erasing a person (their account renamed
"Former coach 1") changes what their entries show and no entry's text, not even a namesake's."""

from __future__ import annotations

import re

import pytest

from coachhub.tenancy import audit, services
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import AuditEntry
from records import erasure
from tests.conftest import client_at
from tests.records.conftest import coached

pytestmark = pytest.mark.django_db


def _rows(page) -> list[str]:
    """The audit table's rows as text, tags and extra spaces gone."""
    body = page.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("<tr>")[1:]]


def test_erasing_a_namesake_leaves_the_others_entries_untouched_and_named(acme):
    """The reproduction of issue 22: a coach renamed themselves as a coachee, then was erased."""
    real, namesake = acme.coachee, acme.coach2
    with practice_context(acme.practice):
        for number in range(1, 15):
            audit.record(actor=acme.coach, action="contract.sent", subject=f"Contract v{number} for {{coachee}}",
                         people={"coachee": real}, sha256="ab" * 32)
        services.set_roles(user=real, roles={"coachee"}, actor=acme.admin)
        namesake.full_name = real.full_name
        namesake.save(update_fields=["full_name"])
        audit.record(actor=namesake, action="coach_profile.updated", subject="coach profile of {coach}",
                     people={"coach": namesake})
        before = {e.pk: (e.action, e.subject, e.people, e.details, e.actor_id) for e in AuditEntry.objects.all()}

        erasure.erase_person(person=namesake, actor=acme.admin)

        after = {e.pk: (e.action, e.subject, e.people, e.details, e.actor_id) for e in AuditEntry.objects.filter(pk__in=before)}
    assert after == before
    rows = _rows(client_at(acme, acme.admin).get("/practice/audit/", {"kind": "contract"}))
    assert len(rows) == 14 and all("Contract v" in row and f"for {real.full_name}" in row for row in rows)
    assert not any("Former coach" in row for row in rows)
    profile_rows = _rows(client_at(acme, acme.admin).get("/practice/audit/", {"kind": "coach_profile"}))
    assert len(profile_rows) == 1 and "coach profile of Former coach 1" in profile_rows[0]
    assert real.full_name not in profile_rows[0]


def test_an_erased_persons_entries_show_their_label_and_nowhere_their_name_or_email(acme):
    person = acme.coach2
    name, email = person.full_name, person.email
    client_at(acme, person)  # a sign-in, as the person
    with practice_context(acme.practice):
        services.set_roles(user=person, roles={"coach", "sponsor"}, actor=acme.admin, client_organisation=acme.organisation)
        services.invite_person(email=email, role="coachee", invited_by=acme.admin, base_url="https://acme.test")
        erasure.erase_person(person=person, actor=acme.admin)
    page = client_at(acme, acme.admin).get("/practice/audit/")
    text = page.content.decode()
    assert name not in text and email not in text
    rows = _rows(page)
    assert any("Account signed in" in row and row.count("Former coach 1") == 2 for row in rows)  # who, and on whom
    assert any("Membership granted" in row and "Former coach 1 as Sponsor" in row for row in rows)
    # The invitation to their address was re-addressed by the erasure; its entry shows it from there.
    assert any("Invitation sent" in row and "former-coach-1@acme.erased.invalid as Coachee" in row for row in rows)
    csv_text = client_at(acme, acme.admin).get("/practice/audit/export.csv").content.decode("utf-8-sig")
    assert name not in csv_text and email not in csv_text and "Former coach 1 as Sponsor" in csv_text


def test_no_entry_of_a_coaching_journey_stores_a_name_or_an_email(acme):
    """Booking, logging, reflecting, rating and sharing, as the records fixtures play them."""
    cast = coached(acme).cast
    people = [cast.admin, cast.coach, cast.coach2, cast.coachee, cast.coachee2, cast.sponsor]
    with practice_context(acme.practice):
        entries = list(AuditEntry.objects.all())
    assert len({e.action.split(".")[0] for e in entries}) >= 3
    for entry in entries:
        stored = f"{entry.subject} {entry.details}"
        for person in people:
            assert person.full_name not in stored and person.email not in stored, (entry.action, stored)
    assert any(entry.people for entry in entries)


def test_an_invitation_is_shown_by_its_address_kept_on_the_invitation(acme):
    with practice_context(acme.practice):
        invitation = services.invite_person(email="newcomer@example.com", role="coach", invited_by=acme.admin,
                                            base_url="https://acme.test")
        entry = AuditEntry.objects.get(action="invitation.sent")
    assert "newcomer" not in entry.subject and entry.people == {"invitee": {"invitation": invitation.pk}}
    rows = _rows(client_at(acme, acme.admin).get("/practice/audit/", {"kind": "invitation"}))
    assert rows == [row for row in rows if "newcomer@example.com as Coach" in row] and len(rows) == 1


def test_filtering_by_a_person_finds_what_they_did_and_what_names_them(acme):
    with practice_context(acme.practice):
        audit.record(actor=acme.coach, action="contract.sent", subject="Contract v1 for {coachee}",
                     people={"coachee": acme.coachee2})
        audit.record(actor=acme.coachee2, action="contract.accepted", subject="Contract v1 for {coachee}",
                     people={"coachee": acme.coachee2})
        audit.record(actor=acme.coach, action="contract.sent", subject="Contract v1 for {coachee}",
                     people={"coachee": acme.coachee})
    rows = _rows(client_at(acme, acme.admin).get("/practice/audit/", {"person": acme.coachee2.email}))
    assert len(rows) == 2 and all(acme.coachee2.full_name in row for row in rows)
    nobody = _rows(client_at(acme, acme.admin).get("/practice/audit/", {"person": "nobody@example.com"}))
    assert len(nobody) == 1 and "No entry matches these filters." in nobody[0]


def test_a_subject_must_place_every_person_it_names(acme):
    with practice_context(acme.practice), pytest.raises(ValueError, match="does not place"):
        audit.record(actor=acme.coach, action="contract.sent", subject="a contract", people={"coachee": acme.coachee})
