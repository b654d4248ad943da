"""Input for the notification settings page."""

from __future__ import annotations

from django import forms

from reminders.kinds import KINDS


class NotificationSettingsForm(forms.Form):
    enabled_kinds = forms.MultipleChoiceField(
        label="Email me these reminders", choices=(), required=False, widget=forms.CheckboxSelectMultiple,
    )
    morning_digest = forms.BooleanField(
        label="Send me one digest at 07:00 in my time zone instead of single reminders",
        required=False,
        help_text="Reminders that cannot wait until the next 07:00 (a session within the hour) still come singly.",
    )

    def __init__(self, *args, kinds: list[str], offer_digest: bool, **kwargs):
        """`kinds`: those the person's roles can receive; the morning digest is offered to coaches."""
        super().__init__(*args, **kwargs)
        self.fields["enabled_kinds"].choices = [(name, KINDS[name].label) for name in kinds]
        if not offer_digest:
            del self.fields["morning_digest"]
