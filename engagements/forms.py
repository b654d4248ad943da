from __future__ import annotations

from datetime import date, datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.safestring import SafeString

from coachhub.tenancy.models import time_zone_choices
from coachhub.tenancy.timezones import zone_or_none
from coachhub.tenancy.validators import validate_visible_characters
from coachhub.tenancy.widgets import ZoneSelect
from engagements.models import ChemistryCall


class SlotWeekForm(forms.Form):
    """Which week of slots to show, and in which zone (from the browser, changeable)."""

    tz = forms.ChoiceField(
        label="Show times in", choices=time_zone_choices, required=False,
        widget=ZoneSelect(attrs={"data-zone-select": True}),
    )
    week = forms.DateField(required=False, widget=forms.HiddenInput)

    def week_start(self, today: date) -> date:
        week = self.cleaned_data.get("week") if self.is_valid() else None
        if week is None or week < today:
            week = today
        return week

    def zone_name(self, default: str) -> str:
        zone = self.cleaned_data.get("tz") if self.is_valid() else None
        return zone if zone and zone_or_none(zone) else default

    def zone_select(self, zone_name: str) -> SafeString:
        """The "Show times in" select with the zone shown chosen (asked for, or the default)."""
        return self.fields["tz"].widget.render("tz", zone_name, attrs={"id": self["tz"].auto_id})


class ChemistryCallForm(forms.Form):
    """The leader's details and the time they picked; the same rules the JSON API applies."""

    start = forms.DateTimeField(widget=forms.HiddenInput, error_messages={"required": "Choose a time for the call."})
    tz = forms.ChoiceField(choices=time_zone_choices, widget=forms.HiddenInput)
    name = forms.CharField(label="Your name", max_length=150, validators=[validate_visible_characters])
    email = forms.EmailField(label="Your email address", help_text="We send the confirmation and calendar invitation here.")
    objectives = forms.CharField(
        label="What would you like to work on?", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few sentences are plenty. Only you, the coaches you book and the practice see this.",
    )
    hopes = forms.CharField(
        label="What do you hope to achieve?", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_start(self) -> datetime:
        start = self.cleaned_data["start"]
        if start <= timezone.now():
            raise forms.ValidationError("That time has passed. Please choose another.")
        return start


class RescheduleForm(forms.Form):
    start = forms.DateTimeField(widget=forms.HiddenInput, error_messages={"required": "Choose a new time."})


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Would you like to work with this leader?", choices=ChemistryCall.Outcome.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label="Notes on the approach you shared", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}), help_text="Seen by you and the practice admins.",
    )


class PreferenceForm(forms.Form):
    coach = forms.TypedChoiceField(label="The coach you would like to work with", coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, coaches: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].choices = [(coach.pk, str(coach)) for coach in coaches]


def week_days(start: date) -> tuple[date, date]:
    return start, start + timedelta(days=6)
