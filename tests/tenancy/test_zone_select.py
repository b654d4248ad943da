"""The time-zone select writes the same HTML as Django's Select, in one pass."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from coachhub.tenancy.models import time_zone_choices
from coachhub.tenancy.widgets import ZoneSelect

CHOICES = [("", "Same as the practice"), *time_zone_choices(), ("A&B<c>", 'Odd "label" & <b>')]


@pytest.mark.parametrize("value", [None, "", "Europe/London", "America/Argentina/Buenos_Aires", "A&B<c>", "Nowhere/Else"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_tz", "required": True, "aria-describedby": "id_tz_helptext"}])
def test_the_same_html_as_djangos_select(value, attrs):
    ours = ZoneSelect(choices=CHOICES, attrs={"data-zone-select": True}).render("tz", value, attrs=attrs)
    django = forms.Select(choices=CHOICES, attrs={"data-zone-select": True}).render("tz", value, attrs=attrs)
    assert parse_html(ours) == parse_html(django)


@pytest.mark.parametrize("required", [True, False])
def test_a_bound_field_renders_as_with_djangos_select(required):
    """The attributes the field adds (id, help text, invalid) come out the same."""

    def form(widget):
        class Form(forms.Form):
            time_zone = forms.ChoiceField(
                choices=CHOICES, widget=widget, help_text="Your clock.", required=required,
            )

        return Form({"time_zone": "Nowhere/Else"})

    ours, django = form(ZoneSelect), form(forms.Select)
    assert not ours.is_valid() and not django.is_valid()
    assert 'aria-invalid="true"' in str(ours["time_zone"])
    assert parse_html(str(ours["time_zone"])) == parse_html(str(django["time_zone"]))
