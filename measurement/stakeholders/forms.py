"""Input for the stakeholder pages: naming a stakeholder, the coach's suggestion. The nominee's own
form is read field by field by answers.check_answer, which gives the messages."""

from __future__ import annotations

from django import forms

from coachhub.tenancy.validators import validate_visible_characters


class NomineeForm(forms.Form):
    group = forms.ChoiceField(label="Group")
    name = forms.CharField(label="Name", max_length=150, validators=[validate_visible_characters])
    email = forms.CharField(label="Email", max_length=254, widget=forms.EmailInput)

    def __init__(self, *args, groups: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(name, name) for name in groups]


class SuggestionForm(forms.Form):
    text = forms.CharField(label="Suggest a change to the list", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
