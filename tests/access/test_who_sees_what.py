"""DESIGN.md's "Who sees what", walked: every person × every kind of object × every page,
download and CSV row it appears on.

The expected answers come from one place, `engagements.access.WHO_SEES` (the table of DESIGN.md,
checked against it below): this test only states how each person relates to each engagement —
including a second coach and coachee, a sponsor replaced by an amendment, a sponsor who is also
the coachee of another engagement, a deactivated membership and another practice — and then asks
every page whether it agrees.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from coachhub.roster.models import Booking
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Membership, Role
from coachhub.tenancy.viewers import Viewer
from engagements.contracting import amendments, drafts
from engagements.access import (
    ADMIN,
    COACH,
    COACHEE,
    SPONSOR,
    WHO_SEES,
    Data,
    Relation,
    relations_to,
)
from engagements.models import ChemistryCall, ContractVersion, Engagement
from measurement.models import MeasurementPoint
from sessions.services.actions import add_action, add_reflection, share_summary_with_sponsor
from tests.conftest import PracticeCast, client_at, make_user, publish_coach
from tests.contracts.conftest import (
    BASE_URL,
    accept,
    accepted_by_all,
    matched_engagement,
)
from tests.sessions.conftest import log, past_session

pytestmark = pytest.mark.django_db


def _add_person(cast: PracticeCast, local: str, *roles: Role):
    with practice_context(cast.practice):
        user = make_user(f"{local}@{cast.practice.slug}.test", local.replace("-", " ").title())
        for role in roles:
            Membership.objects.create(
                user=user, role=role,
                client_organisation=cast.organisation if role in (Role.SPONSOR, Role.COACHEE) else None,
            )
    return user


def _amend_with_sponsor(cast: PracticeCast, engagement: Engagement, sponsor) -> ContractVersion:
    """An amendment naming another sponsor, accepted by every party: the old sponsor is replaced."""
    with practice_context(cast.practice):
        version = amendments.amend_contract(engagement=engagement, actor=engagement.coach)
        drafts.update_contract_draft(version=version, actor=engagement.coach, changes={"sponsor": sponsor})
        version = drafts.send_contract(version=ContractVersion.objects.get(pk=version.pk), actor=engagement.coach,
                                            base_url=BASE_URL)
    for _, party in version.parties():
        accept(cast, version, party)
    with practice_context(cast.practice):
        return ContractVersion.objects.get(pk=version.pk)


@dataclass
class World:
    """Acme's engagements and people, and what the test expects of each relation."""

    cast: PracticeCast
    people: dict[str, object]
    coached: Engagement  # coachee2 with coach, sponsor in force: sponsor
    amended: Engagement  # coachee with coach2; v1 sponsored by old-sponsor, v2 (in force) by sponsor
    own: Engagement  # old-sponsor is its coachee, with coach
    enquiry: Engagement  # leader's chemistry calls
    call: ChemistryCall
    versions: dict[str, ContractVersion]
    session_of: dict[int, int] = field(default_factory=dict)
    point_of: dict[int, int] = field(default_factory=dict)
    relations: dict[tuple[str, int], frozenset[Relation]] = field(default_factory=dict)


@pytest.fixture
def world(acme, globex) -> World:
    people = {
        "admin": acme.admin, "coach": acme.coach, "coach2": acme.coach2, "coachee": acme.coachee,
        "coachee2": acme.coachee2, "sponsor": acme.sponsor,
        "old-sponsor": _add_person(acme, "old-sponsor", Role.SPONSOR, Role.COACHEE),
        "leader": _add_person(acme, "leader", Role.COACHEE),
        "globex-admin": globex.admin,
    }
    coached = matched_engagement(acme, coachee=acme.coachee2, coach=acme.coach)
    coached_v1 = accepted_by_all(acme, coached)
    amended = matched_engagement(acme, coachee=acme.coachee, coach=acme.coach2)
    with practice_context(acme.practice):
        amended.sponsor = people["old-sponsor"]
        amended.save()
    amended_v1 = accepted_by_all(acme, amended, changes={"sponsor": people["old-sponsor"]})
    amended_v2 = _amend_with_sponsor(acme, amended, acme.sponsor)
    own = matched_engagement(acme, coachee=people["old-sponsor"], coach=acme.coach)
    accepted_by_all(acme, own)

    world = World(
        cast=acme, people=people, coached=coached, amended=amended, own=own, enquiry=None, call=None,
        versions={"coached-v1": coached_v1, "amended-v1": amended_v1, "amended-v2": amended_v2},
    )
    for index, engagement in enumerate((coached, amended, own)):
        tag = f"E{engagement.pk}"
        # Three sessions held (so the mid-point falls due), on days no other engagement of the coach uses.
        held = [past_session(acme, engagement, days_ago=40 - 3 * number - index, number=number) for number in (1, 2, 3)]
        first = log(acme, held[0], goals=f"GOALS-{tag}", summary=f"SUMMARY-{tag}", private_notes=f"PRIVATE-{tag}")
        for session in held[1:]:
            log(acme, session)
        with practice_context(acme.practice):
            first = first.__class__.objects.select_related("engagement").get(pk=first.pk)
            add_action(session=first, actor=engagement.coach, text=f"ACTION-{tag}", owner="coachee",
                                        due_date=None)
            add_reflection(engagement=engagement, actor=engagement.coachee, text=f"REFLECTION-{tag}")
            world.point_of[engagement.pk] = MeasurementPoint.objects.get(engagement=engagement, kind="mid").pk
        world.session_of[engagement.pk] = first.pk
    with practice_context(acme.practice):
        # The coachee of `amended` shares that session's summary with the sponsor (the one in force).
        session = first.__class__.objects.select_related("engagement").get(pk=world.session_of[amended.pk])
        share_summary_with_sponsor(session=session, actor=amended.coachee, shared=True)
        publish_coach(acme.coach2)
        enquiry = Engagement.objects.create(coachee=people["leader"], objectives="CHEMISTRY-OBJECTIVES-LEADER")
        start = timezone.now() + timedelta(days=3)
        booking = Booking.objects.create(
            coach=acme.coach2, kind=Booking.Kind.CHEMISTRY_CALL, starts_at=start, ends_at=start + timedelta(minutes=30),
            blocked=(start, start + timedelta(minutes=30)),
        )
        world.call = ChemistryCall.objects.create(engagement=enquiry, coach=acme.coach2, booking=booking)
    world.enquiry = enquiry

    # How each person relates to each engagement: the facts this test states (the rest is the table).
    expected = {
        ("coachee2", coached.pk): {COACHEE}, ("coach", coached.pk): {COACH}, ("sponsor", coached.pk): {SPONSOR},
        ("coachee", amended.pk): {COACHEE}, ("coach2", amended.pk): {COACH}, ("sponsor", amended.pk): {SPONSOR},
        ("old-sponsor", own.pk): {COACHEE}, ("coach", own.pk): {COACH}, ("sponsor", own.pk): {SPONSOR},
    }
    for person in people:
        for engagement in (coached, amended, own):
            relations = set(expected.get((person, engagement.pk), set()))
            if person == "admin":
                relations.add(ADMIN)
            world.relations[(person, engagement.pk)] = frozenset(relations)
    return world


def sees(world: World, person: str, engagement: Engagement, data: Data) -> bool:
    return bool(world.relations[(person, engagement.pk)] & WHO_SEES[data])


PEOPLE = ["admin", "coach", "coach2", "coachee", "coachee2", "sponsor", "old-sponsor", "leader", "globex-admin"]


def _client(world: World, person: str):
    user = world.people[person]
    if person.startswith("globex"):
        # Signed in at their own practice, then trying Acme's addresses: never signed in there.
        return client_at(world.cast)
    return client_at(world.cast, user)


def _status(client, url: str) -> int:
    return client.get(url).status_code


# Contract versions: their parties and admins ("if a party": a replaced sponsor keeps theirs).
VERSION_READERS = {
    "coached-v1": {"admin", "coach", "coachee2", "sponsor"},
    "amended-v1": {"admin", "coach2", "coachee", "old-sponsor"},
    "amended-v2": {"admin", "coach2", "coachee", "sponsor"},
}


def reads_a_version_of(world: World, person: str, engagement: Engagement) -> bool:
    return any(person in VERSION_READERS[name] for name, version in world.versions.items()
               if version.engagement_id == engagement.pk)


@pytest.mark.parametrize("person", PEOPLE)
def test_each_page_answers_as_the_table_says(world, person):
    client = _client(world, person)
    anonymous = person.startswith("globex")
    for engagement in (world.coached, world.amended, world.own):
        tag = f"E{engagement.pk}"
        session_id, point_id = world.session_of[engagement.pk], world.point_of[engagement.pk]
        pages = {
            Data.SESSION_DATES: [f"/engagements/{engagement.pk}/sessions/"],
            Data.PRIVATE_NOTES: [f"/sessions/{session_id}/log/"],
            Data.CONTRACT: [f"/engagements/{engagement.pk}/contract/"],
            Data.PROGRESS: [
                f"/engagements/{engagement.pk}/progress/", f"/engagements/{engagement.pk}/progress/points/{point_id}/",
                f"/engagements/{engagement.pk}/progress/report.pdf",
            ],
            Data.REMINDERS: [f"/reminders/engagements/{engagement.pk}/"],
        }
        for data, urls in pages.items():
            for url in urls:
                status = _status(client, url)
                if anonymous:
                    assert status in (302, 404), (person, url, status)
                    continue
                expected = sees(world, person, engagement, data) or (
                    # The engagement's contract page lists the versions a person may read.
                    data == Data.CONTRACT and reads_a_version_of(world, person, engagement)
                )
                assert (status in (200, 202)) == expected, (person, data, url, status)
                assert status in (200, 202, 404), (person, url, status)
        if anonymous:
            continue
        # What the sessions page shows inside, row by row of the table.
        page = client.get(f"/engagements/{engagement.pk}/sessions/").content.decode()
        shared = engagement.pk == world.amended.pk
        assert (f"PRIVATE-{tag}" in page) == sees(world, person, engagement, Data.PRIVATE_NOTES), (person, tag)
        assert (f"ACTION-{tag}" in page) == sees(world, person, engagement, Data.SUMMARIES_AND_ACTIONS), (person, tag)
        assert (f"GOALS-{tag}" in page) == sees(world, person, engagement, Data.SUMMARIES_AND_ACTIONS), (person, tag)
        summary_visible = sees(world, person, engagement, Data.SUMMARIES_AND_ACTIONS) or (
            shared and sees(world, person, engagement, Data.SHARED_WITH_SPONSOR)
        )
        assert (f"SUMMARY-{tag}" in page) == summary_visible, (person, tag)
        assert (f"REFLECTION-{tag}" in page) == sees(world, person, engagement, Data.REFLECTIONS), (person, tag)


@pytest.mark.parametrize("person", PEOPLE)
def test_contract_versions_and_their_pdfs(world, person):
    """Parties and admins; a sponsor replaced by an amendment keeps the version they accepted and
    sees nothing after; the new sponsor sees the version they are party to, not the old one."""
    client = _client(world, person)
    for name, version in world.versions.items():
        for url in (f"/contracts/{version.pk}/", f"/contracts/{version.pk}/pdf/"):
            status = _status(client, url)
            assert (status in (200, 202)) == (person in VERSION_READERS[name]), (person, name, url, status)


@pytest.mark.parametrize("person", PEOPLE)
def test_chemistry_call_objectives(world, person):
    """The leader, the coach called and admins; not the other coaches."""
    client = _client(world, person)
    call = world.call
    leader_page = _status(client, f"/chemistry-calls/{call.pk}/")
    assert (leader_page == 200) == (person == "leader"), (person, leader_page)
    outcome_page = _status(client, f"/chemistry-calls/{call.pk}/outcome/")
    assert (outcome_page == 200) == (person == "coach2"), (person, outcome_page)
    listing = client.get("/practice/chemistry-calls/")
    assert (listing.status_code == 200) == (person == "admin"), (person, listing.status_code)


@pytest.mark.parametrize("person", PEOPLE)
def test_sponsor_dashboard_pages_and_csv_rows(world, person):
    """The dashboard lists, and its CSV has a row for, exactly the engagements the person sponsors
    in force; its detail page answers 404 for any other."""
    client = _client(world, person)
    sponsored = {e.pk for e in (world.coached, world.amended, world.own) if SPONSOR in world.relations[(person, e.pk)]}
    response = client.get("/dashboard/sponsor/export.csv")
    if "sponsor" not in person:
        assert response.status_code in (302, 404), (person, response.status_code)
    else:
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
        names = {e.coachee.get_full_name() for e in (world.coached, world.amended, world.own) if e.pk in sponsored}
        assert {row[0] for row in rows} == names, (person, rows)
    for engagement in (world.coached, world.amended, world.own):
        status = _status(client, f"/dashboard/sponsor/engagements/{engagement.pk}/")
        assert (status == 200) == (engagement.pk in sponsored), (person, engagement.pk, status)


def test_the_access_functions_agree_with_the_stated_relations(world):
    with practice_context(world.cast.practice):
        for person in PEOPLE[:-1]:
            viewer = Viewer.of(world.people[person])
            for engagement in (world.coached, world.amended, world.own):
                assert relations_to(viewer, engagement) == world.relations[(person, engagement.pk)], (person, engagement.pk)


def test_a_deactivated_sponsor_sees_nothing(world):
    with practice_context(world.cast.practice):
        Membership.objects.filter(user=world.people["sponsor"], role=Role.SPONSOR).update(
            is_active=False, deactivated_at=timezone.now()
        )
        viewer = Viewer(world.people["sponsor"], frozenset({Role.SPONSOR}))  # even with a stale role in hand
        for engagement in (world.coached, world.amended, world.own):
            assert relations_to(viewer, engagement) == frozenset()


def test_another_practices_people_get_404_on_acme_objects_at_their_own_host(world, globex):
    client = client_at(globex, globex.admin)
    for engagement in (world.coached, world.amended, world.own):
        for url in (f"/engagements/{engagement.pk}/sessions/", f"/engagements/{engagement.pk}/progress/",
                    f"/engagements/{engagement.pk}/contract/", f"/reminders/engagements/{engagement.pk}/"):
            assert _status(client, url) == 404, url
    for version in world.versions.values():
        assert _status(client, f"/contracts/{version.pk}/") == 404


DESIGN = Path(__file__).resolve().parents[3] / "shared" / "DESIGN.md"
TABLE_ROWS = {
    "private coach notes": Data.PRIVATE_NOTES,
    "shared summary, actions": Data.SUMMARIES_AND_ACTIONS,
    "session dates, attendance, sessions used": Data.SESSION_DATES,
    "contract and its PDF": Data.CONTRACT,
    "objectives, ratings, on/off track, progress PDF": Data.PROGRESS,
    "chemistry-call objectives": Data.CHEMISTRY_OBJECTIVES,
    "who the stakeholders are": Data.STAKEHOLDERS,
}
COLUMNS = [COACHEE, COACH, None, ADMIN, SPONSOR]  # coachee | own coach | other coaches | admin | sponsor


@pytest.mark.skipif(not DESIGN.exists(), reason="the product's DESIGN.md (../shared/) is not beside this clone")
def test_the_code_s_table_is_design_md_s_table():
    """Each row of DESIGN.md's "Who sees what" that this module covers says "yes" exactly where
    WHO_SEES names the relation ("only what the coachee chooses to share" and "if a party" are the
    sponsor's conditional yes)."""
    text = DESIGN.read_text()
    for label, data in TABLE_ROWS.items():
        row = re.search(rf"^\| {re.escape(label)} \|(.*)\|\s*$", text, re.MULTILINE)
        assert row, label
        cells = [cell.strip() for cell in row.group(1).split("|")]
        said = {column for column, cell in zip(COLUMNS, cells) if column and cell not in ("–", "count only")}
        assert said == set(WHO_SEES[data]) | ({SPONSOR} if data == Data.SUMMARIES_AND_ACTIONS else set()), label
        if data == Data.STAKEHOLDERS:
            # "count only": who the stakeholders are, as numbers per group, for everyone else in the row.
            counted = {column for column, cell in zip(COLUMNS, cells) if column and cell != "–"}
            assert counted == set(WHO_SEES[Data.STAKEHOLDER_COUNTS]), label


def test_reminder_emails_about_a_point_go_only_to_people_who_may_see_its_progress(world):
    """A measurement point's reminders go to its raters, each of whom may see the progress: the
    sponsor in force, never one replaced by an amendment."""
    from reminders.models import Reminder

    by_user = {user.pk: person for person, user in world.people.items()}
    with practice_context(world.cast.practice):
        for engagement in (world.coached, world.amended, world.own):
            recipients = set(Reminder.objects.filter(
                subject=f"point:{world.point_of[engagement.pk]}", kind="measurement_due",
            ).values_list("recipient_id", flat=True))
            assert recipients == {engagement.coachee_id, engagement.coach_id, world.people["sponsor"].pk}
            for user_id in recipients:
                assert sees(world, by_user[user_id], engagement, Data.PROGRESS), by_user[user_id]
