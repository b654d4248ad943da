"""Input for the notification settings page."""

from __future__ import annotations

from django import forms

from coachhub.reminders.kinds import KIND_CHOICES


class NotificationSettingsForm(forms.Form):
    enabled_kinds = forms.MultipleChoiceField(
        label="Email me these reminders", choices=KIND_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
    )
    morning_digest = forms.BooleanField(
        label="Send me one digest at 07:00 in my time zone instead of single reminders",
        required=False,
        help_text="Reminders that cannot wait until the next 07:00 (a session within the hour) still come singly.",
    )
