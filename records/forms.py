"""Input of the data-rights pages."""

from __future__ import annotations

from django import forms


class PersonChoiceForm(forms.Form):
    person = forms.TypedChoiceField(label="Person", coerce=int, help_text="Members and former members of the practice.")

    def __init__(self, *args, people: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Choose a person")] + [
            (p.pk, f"{p.get_full_name()} <{p.email}>") for p in people
        ]
