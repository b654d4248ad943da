"""What a person's export holds, by role, and what it never holds: another person's reflections or
ratings, another coach's notes, private notes in a coachee's or sponsor's export, another practice."""

from __future__ import annotations

import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from coachhub.accounts.models import User
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Membership, Practice
from demo.journey import PRACTICES
from records.building import export_zip
from sessions import encryption
from sessions.models import CoacheeReflection, CoachingSession
from tests.records.conftest import as_json, texts, unzip

pytestmark = pytest.mark.django_db

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def export_of(cast, user) -> dict[str, bytes]:
    with practice_context(cast.practice):
        return unzip(export_zip(user))


def test_a_coachees_export_has_what_they_wrote_and_took_part_in(acme_coached, globex_coached):
    files = export_of(acme_coached.cast, acme_coached.cast.coachee2)
    assert {"README.txt", "person.json", "coachee/chemistry_calls.json", "coachee/engagements.json",
            "coachee/sessions.json", "coachee/reflections.json", "coachee/ratings.json",
            "contracts/contracts.json"} <= set(files)
    text = texts(files)
    for own in ("ACME-COACHEE2-OBJECTIVES", "ACME-COACHEE2-HOPES", "ACME-COACHEE2-REFLECTION",
                "ACME-COACHEE2-RATING-COMMENT", "ACME-COACHEE2-SUMMARY-1"):
        assert own in text, own
    engagement = acme_coached.main.pk
    assert any(name == f"contracts/engagement-{engagement}-v1.pdf" for name in files)
    assert f"coachee/progress-report-engagement-{engagement}.pdf" in files
    assert files[f"contracts/engagement-{engagement}-v1.pdf"].startswith(b"%PDF")
    contracts = as_json(files, "contracts/contracts.json")
    assert contracts[0]["your_role"] == "coachee" and len(contracts[0]["text_sha256"]) == 64
    assert {a["role"] for a in contracts[0]["acceptances"]} == {"coachee", "coach", "sponsor"}


def test_a_coachees_export_never_holds_private_notes_other_reflections_other_ratings_or_other_practices(
    acme_coached, globex_coached,
):
    files = export_of(acme_coached.cast, acme_coached.cast.coachee2)
    text = texts(files)
    for forbidden in ("PRIVATE", "ACME-COACHEE1-REFLECTION", "ACME-COACH1-RATING-COMMENT",
                      "ACME-SPONSOR-RATING-COMMENT", "ACME-COACHEE1", "GLOBEX", "GOALS"):
        assert forbidden not in text, forbidden
    for name, content in files.items():
        if name.endswith(".pdf"):
            pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
            assert "PRIVATE" not in pdf_text and "REFLECTION" not in pdf_text, name


def test_a_coachs_export_has_their_logs_with_their_own_private_notes_and_nothing_of_another_coach(acme_coached):
    files = export_of(acme_coached.cast, acme_coached.cast.coach)
    assert {"coach/profile.json", "coach/chemistry_calls.json", "coach/engagements.json",
            "coach/session_logs.json", "coach/ratings.json"} <= set(files)
    text = texts(files)
    for own in ("ACME-COACH1-PRIVATE-1", "ACME-COACH1-GOALS-2", "ACME-COACHEE2-SUMMARY-3", "ACME-COACH1-RATING-COMMENT"):
        assert own in text, own
    for forbidden in ("ACME-COACH2", "ACME-COACHEE1", "REFLECTION", "ACME-COACHEE2-RATING-COMMENT",
                      "ACME-SPONSOR-RATING-COMMENT", "ACME-COACHEE2-OBJECTIVES", "coachee/"):
        assert forbidden not in text, forbidden


def test_a_sponsors_export_has_what_a_sponsor_sees_only(acme_coached):
    files = export_of(acme_coached.cast, acme_coached.cast.sponsor)
    assert {"sponsor/engagements.json", "sponsor/sessions.json", "sponsor/ratings.json"} <= set(files)
    sessions = as_json(files, "sponsor/sessions.json")
    shared = {(s["engagement"], s["number"]): s["summary"] for s in sessions if s["summary"]}
    assert shared == {(acme_coached.main.pk, 1): "ACME-COACHEE2-SUMMARY-1"}  # only the summary the coachee shared
    text = texts(files)
    assert "ACME-SPONSOR-RATING-COMMENT" in text
    for forbidden in ("PRIVATE", "REFLECTION", "GOALS", "ACME-COACHEE2-RATING-COMMENT", "ACME-COACHEE1", "ACME-COACH2"):
        assert forbidden not in text, forbidden


def test_an_admins_export_is_their_own_account_not_the_practices_records(acme_coached):
    files = export_of(acme_coached.cast, acme_coached.cast.admin)
    assert set(files) == {"README.txt", "person.json"}
    person = as_json(files, "person.json")
    assert person["account"]["email"] == acme_coached.cast.admin.email
    assert [m["role"] for m in person["memberships"]] == ["admin"]


def test_times_are_iso_8601_in_utc_and_every_file_is_described_in_the_readme(acme_coached):
    files = export_of(acme_coached.cast, acme_coached.cast.coachee2)
    readme = files["README.txt"].decode()
    for name in files:
        if name != "README.txt":
            assert name in readme, name
    assert "What is not in this export, and why" in readme and "Private coach notes" in readme
    sessions = as_json(files, "coachee/sessions.json")
    assert all(ISO_UTC.match(s["starts_at"]) for s in sessions)
    person = as_json(files, "person.json")
    assert ISO_UTC.match(person["generated_at"]) and ISO_UTC.match(person["memberships"][0]["since"])


def test_sign_ins_the_practice_keeps_are_in_person_json(acme_coached):
    from coachhub.tenancy import audit

    cast = acme_coached.cast
    with practice_context(cast.practice):
        with audit.requests_from("198.51.100.4"):
            audit.record(actor=cast.coachee2, action=audit.SIGN_IN, subject=cast.coachee2)
        with audit.requests_from("198.51.100.9"):
            audit.record(actor=cast.coachee, action=audit.SIGN_IN, subject=cast.coachee)
    person = as_json(export_of(cast, cast.coachee2), "person.json")
    assert [s["ip_address"] for s in person["sign_ins"]] == ["198.51.100.4"]
    assert all(ISO_UTC.match(s["at"]) for s in person["sign_ins"])


def test_the_export_of_each_demo_person_holds_no_one_elses_private_notes_or_reflections():
    """Every person of both demo practices: private notes only in their coach's export, reflections
    only in their author's, nothing of the other practice."""
    call_command("seed_demo", stdout=StringIO())
    for slug, spec in PRACTICES.items():
        practice = Practice.objects.get(slug=slug)
        other = next(s for s in PRACTICES if s != slug)
        foreign = [name for name, _ in PRACTICES[other]["people"].values()]
        with practice_context(practice):
            notes = [
                (s.engagement.coach_id, encryption.decrypt(s.private_notes_ciphertext))
                for s in CoachingSession.objects.select_related("engagement").exclude(private_notes_ciphertext="")
            ]
            reflections = [(r.author_id, r.text) for r in CoacheeReflection.objects.all()]
            assert notes, "the demo has private notes to look for"
            for local_part in spec["people"]:
                person = User.objects.get(email=f"{local_part}@{slug}.example")
                roles = set(Membership.objects.filter(user=person).values_list("role", flat=True))
                text = texts(unzip(export_zip(person)))
                assert f'"email": "{person.email}"' in text
                for coach_id, note in notes:
                    assert (note in text) == (coach_id == person.pk and "coach" in roles), (person.email, note)
                for author_id, reflection in reflections:
                    assert (reflection in text) == (author_id == person.pk), (person.email, reflection)
                for name in foreign:
                    assert name not in text, (person.email, name)


def test_a_coachees_export_lists_the_stakeholders_they_named_never_their_answers(acme_coached):
    from measurement.models import Nominee, StakeholderResponse, StakeholderScore

    cast, main, other = acme_coached.cast, acme_coached.main, acme_coached.other
    with practice_context(cast.practice):
        named = Nominee.objects.create(engagement=main, group="Peers", name="Nora Nominee", email="nora@client.example",
                                       nominated_by=cast.coachee2, link_secret="n" * 32)
        Nominee.objects.create(engagement=other, group="Peers", name="Kim Elsewhere", email="kim@client.example",
                               nominated_by=cast.coachee, link_secret="k" * 32)
        # An answer names its nominee only while its point is open (a closed point takes none).
        point = main.measurement_points.filter(closed_at__isnull=True).first()
        response = StakeholderResponse.objects.create(point=point, nominee=named, group="Peers", comment="NORA-SAYS-GROWTH")
        StakeholderScore.objects.create(response=response, objective=point.version.objectives.first(), score=9)
    files = export_of(cast, cast.coachee2)
    listed = as_json(files, "coachee/stakeholders.json")
    assert [(n["engagement"], n["group"], n["name"], n["email"]) for n in listed] == [
        (main.pk, "Peers", "Nora Nominee", "nora@client.example"),
    ]
    assert ISO_UTC.match(listed[0]["named_at"]) and set(listed[0]) == {"engagement", "group", "name", "email", "named_at"}
    text = texts(files)
    assert "NORA-SAYS-GROWTH" not in text and "Kim Elsewhere" not in text
    assert "coachee/stakeholders.json" in files["README.txt"].decode()
    for user in (cast.sponsor, cast.coach):  # they are not who named them
        assert "Nora Nominee" not in texts(export_of(cast, user))
