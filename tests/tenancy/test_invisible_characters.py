"""No name anywhere holds an invisible format or control character (U+202E reverses the text after
it in every PDF and page that prints the name): each name field refuses them with a message next
to the field, and the database refuses what bypasses the forms."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coachhub.accounts.forms import AcceptInvitationForm
from coachhub.accounts.models import User
from coachhub.roster.models import CoachProfile
from coachhub.tenancy.models import ClientOrganisation, Invitation, Practice
from coachhub.tenancy.validators import INVISIBLE_CATEGORIES, INVISIBLE_RANGES
from engagements.api.chemistry_calls import ChemistryCallRequest
from engagements.forms import ChemistryCallForm
from measurement.models import Nominee
from measurement.stakeholders.forms import NomineeForm
from sessions.models import WorkedOnTopic
from tests.conftest import client_at

pytestmark = pytest.mark.django_db

BAD = {
    "right-to-left override": "\u202e",
    "left-to-right override": "\u202d",
    "right-to-left isolate": "\u2067",
    "pop directional isolate": "\u2069",
    "zero-width space": "\u200b",
    "right-to-left mark": "\u200f",
    "byte-order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "bell (control)": "\u0007",
    "escape (control)": "\u001b",
    "tag character": "\U000e0041",
}
NAME_FIELDS = [
    (User, "full_name"),
    (Practice, "name"),
    (Practice, "stakeholder_groups"),
    (ClientOrganisation, "name"),
    (Invitation, "full_name"),
    (CoachProfile, "headline"),
    (CoachProfile, "specialisms"),
    (CoachProfile, "accreditations"),
    (Nominee, "name"),
    (WorkedOnTopic, "name"),
]
MESSAGE = "invisible character"


def named(char: str) -> str:
    return f"Dan{char}iel Okafor"


def test_the_database_s_list_is_unicode_s_format_and_control_characters():
    listed = {code for start, end in INVISIBLE_RANGES for code in range(start, end + 1)}
    expected = {code for code in range(1, 0x110000) if unicodedata.category(chr(code)) in INVISIBLE_CATEGORIES}
    assert listed == expected


@pytest.mark.parametrize(("model", "field_name"), NAME_FIELDS, ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize("char", BAD.values(), ids=BAD.keys())
def test_every_name_field_refuses_an_invisible_character(model, field_name, char):
    field = model._meta.get_field(field_name)
    value = [named(char)] if field.get_internal_type() == "ArrayField" else named(char)
    with pytest.raises(ValidationError, match=MESSAGE) as refused:
        field.run_validators(value)
    assert f"U+{ord(char):04X}" in str(refused.value)


@pytest.mark.parametrize(("model", "field_name"), NAME_FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_ordinary_names_in_any_script_are_accepted(model, field_name):
    field = model._meta.get_field(field_name)
    for text in ["Zoë Ünal-O'Brien", "Ngũgĩ wa Thiong'o", "Łukasz Żółć", "山田 太郎", "محمد علي", "Ефим Иванов"]:
        field.run_validators([text] if field.get_internal_type() == "ArrayField" else text)


def test_the_stakeholder_groups_keep_their_line_breaks(acme):
    Practice._meta.get_field("stakeholder_groups").run_validators("Line manager\r\nPeers\nDirect reports")


@pytest.mark.parametrize(("model", "field_name"), [(m, f) for m, f in NAME_FIELDS if f not in {"specialisms", "accreditations"}],
                         ids=lambda v: getattr(v, "__name__", v))
def test_every_name_column_has_its_database_check(model, field_name):
    assert any(
        field_name in str(getattr(constraint, "condition", "")) and constraint.name.endswith("_visible")
        for constraint in model._meta.constraints
    )


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\ufeff", "\u0007"])
def test_the_database_refuses_an_invisible_character_written_past_the_forms(acme, in_practice, char):
    with in_practice(acme):
        for queryset, field in [
            (User.objects.filter(pk=acme.coach.pk), "full_name"),
            (Practice.objects.filter(pk=acme.practice.pk), "name"),
            (ClientOrganisation.objects.filter(pk=acme.organisation.pk), "name"),
        ]:
            with pytest.raises(IntegrityError), transaction.atomic():
                queryset.update(**{field: named(char)})
        Practice.objects.filter(pk=acme.practice.pk).update(stakeholder_groups="Peers\nLine manager")


def test_the_profile_page_shows_the_message_next_to_the_name_and_saves_nothing(acme):
    response = client_at(acme, acme.coachee).post("/accounts/profile/", {"full_name": named("\u202e"), "time_zone": ""})
    assert response.status_code == 422
    assert MESSAGE in response.content.decode() and "U+202E RIGHT-TO-LEFT OVERRIDE" in response.content.decode()
    acme.coachee.refresh_from_db()
    assert acme.coachee.full_name == "Coachee Acme"


def test_the_invite_and_organisation_pages_refuse_an_invisible_character(acme):
    client = client_at(acme, acme.admin)
    invite = client.post("/practice/people/invite/", {"email": "new@acme.test", "full_name": named("\u2067"), "role": "coach"})
    assert invite.status_code == 422 and MESSAGE in invite.content.decode()
    organisation = client.post("/practice/organisations/", {"name": named("\u200b")})
    assert organisation.status_code == 422 and MESSAGE in organisation.content.decode()
    assert not ClientOrganisation.objects.filter(name__startswith="Dan").exists()


def test_the_forms_people_name_themselves_on_refuse_an_invisible_character():
    for form in [
        AcceptInvitationForm({"full_name": named("\u202e"), "password1": "x", "password2": "x"}),
        NomineeForm({"group": "Peers", "name": named("\u202e"), "email": "p@client.example"}, groups=["Peers"]),
        ChemistryCallForm({"name": named("\u202e")}),
        ChemistryCallRequest({"name": named("\u202e")}, practice_zone="Europe/London"),
    ]:
        assert not form.is_valid()
        assert MESSAGE in " ".join(form.errors["name" if "name" in form.fields else "full_name"])
