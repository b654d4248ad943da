"""Input for the session pages: the log, actions, reflections, booking."""

from __future__ import annotations

from django import forms

from sessions.models import NOTES_MAX_LENGTH, ActionItem, Attendance

TOO_LONG = "This is %(show_value)s characters; a field holds at most %(limit_value)s. Nothing was saved: shorten it (your text is still here)."


def _notes(label: str, help_text: str = "", rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=NOTES_MAX_LENGTH, help_text=help_text, strip=False,
        widget=forms.Textarea(attrs={"rows": rows}), error_messages={"max_length": TOO_LONG},
    )


class SessionLogForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    draft_token = forms.CharField(widget=forms.HiddenInput, required=False)
    attendance = forms.ChoiceField(
        choices=[(value, label) for value, label in Attendance.choices if value != Attendance.SCHEDULED],
        initial=Attendance.HELD, widget=forms.RadioSelect, required=False,
    )
    goals = _notes("Sessional goals", "What the leader wants from this session.", rows=3)
    worked_on = forms.MultipleChoiceField(label="What was worked on", required=False, widget=forms.CheckboxSelectMultiple)
    private_notes = _notes("Private notes", "Visible to you alone: not to the coachee, other coaches, the practice or the sponsor. Stored encrypted.", rows=6)
    summary = _notes("Shared summary", "The coachee sees this; they may choose to share it with the sponsor.", rows=5)

    def __init__(self, *args, topics: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worked_on"].choices = [(name, name) for name in topics]


class ActionForm(forms.Form):
    text = forms.CharField(label="Action", max_length=500)
    owner = forms.ChoiceField(label="Owner", choices=ActionItem.Owner.choices, initial=ActionItem.Owner.COACHEE)
    due_date = forms.DateField(label="Due date", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ReflectionForm(forms.Form):
    text = _notes("Your reflection", "Visible to you alone.", rows=4)


class BookSessionForm(forms.Form):
    start = forms.DateTimeField(widget=forms.HiddenInput, error_messages={"required": "Choose a time for the session."})
    beyond_commitment = forms.BooleanField(label="Book beyond the contract", required=False)


class WorkedOnTopicsForm(forms.Form):
    topics = forms.CharField(
        label="What was worked on: the list", widget=forms.Textarea(attrs={"rows": 16}), max_length=20_000,
        help_text="One entry a line, in the order coaches see them. Removing an entry keeps it on sessions that ticked it.",
    )
