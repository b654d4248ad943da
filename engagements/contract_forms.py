"""Input for the contracting pages: the template, a draft (package, parties, sections, objectives),
the contracting session's time, and a party's answer. Messages go next to the field concerned."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from coachhub.accounts.models import User
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.forms import add_service_errors
from coachhub.tenancy.models import ClientOrganisation, Role
from engagements.contracting.drafts import objective_target_error_key
from engagements.contracting.versions import OBJECTIVE_FIELDS, SECTION_FIELDS, TERMS_FIELDS
from engagements.models import ContractTemplate, ContractVersion, Engagement, Objective

SECTION_WIDGET = forms.Textarea(attrs={"rows": 5})


class StakeholderGroupsField(forms.MultipleChoiceField):
    """The practice's stakeholder groups, as checkboxes; stored as the list of names chosen."""

    def __init__(self, **kwargs):
        super().__init__(
            required=False, widget=forms.CheckboxSelectMultiple, label="Stakeholder groups who rate",
            help_text="People around the coachee rate the objectives marked for them, anonymously.", **kwargs,
        )

    def offer_practice_groups(self, chosen: list[str] | None = None) -> None:
        names = require_practice().stakeholder_group_names + [n for n in chosen or [] if n not in require_practice().stakeholder_group_names]
        self.choices = [(name, name) for name in names]


def stakeholder_fields(form: forms.ModelForm) -> None:
    """Offer the practice's groups; a form posted without the minimum keeps the one it had."""
    form.fields["stakeholder_groups"].offer_practice_groups(form.instance.stakeholder_groups)
    form.fields["stakeholder_min_responses"].required = False


def clean_stakeholder_minimum(form: forms.ModelForm):
    value = form.cleaned_data.get("stakeholder_min_responses")
    return form.instance.stakeholder_min_responses if value is None else value


class ContractTemplateForm(forms.ModelForm):
    stakeholder_groups = StakeholderGroupsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stakeholder_fields(self)

    def clean_stakeholder_min_responses(self):
        return clean_stakeholder_minimum(self)

    class Meta:
        model = ContractTemplate
        fields = TERMS_FIELDS
        widgets = {field: SECTION_WIDGET for field in SECTION_FIELDS}

    def changes(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.changed_data}


class SponsorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user.get_full_name()} <{user.email}>"


class ContractDraftForm(forms.ModelForm):
    """The package, dates, sponsor and organisation, and the eight sections of a draft."""

    sponsor = SponsorChoiceField(
        queryset=User.objects.none(), required=False, empty_label="No sponsor (two-way contract)",
        help_text="A sponsor who is a party accepts the contract too (three-way contracting).",
    )
    stakeholder_groups = StakeholderGroupsField()

    class Meta:
        model = ContractVersion
        fields = [
            "sessions", "frequency", "session_minutes", "start_date", "end_date",
            "cancellation_notice_hours", "retention_months", "sponsor", "client_organisation",
            "stakeholder_groups", "stakeholder_min_responses", "stakeholder_baseline", *SECTION_FIELDS,
        ]
        labels = {"start_date": "Start date", "end_date": "End date", "client_organisation": "Client organisation"}
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{field: SECTION_WIDGET for field in SECTION_FIELDS},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].queryset = (
            User.objects.filter(
                memberships__practice=require_practice(), memberships__role=Role.SPONSOR, memberships__is_active=True
            ).distinct().order_by("full_name", "email")
        )
        self.fields["client_organisation"].queryset = ClientOrganisation.objects.all()
        self.fields["client_organisation"].empty_label = "None"
        stakeholder_fields(self)
        amending = self.instance.engagement_id and self.instance.engagement.stage == Engagement.Stage.ACTIVE
        if amending and not self.instance.stakeholder_baseline:
            # An amendment cannot add a round "at the start" (drafts._check_draft says so if posted).
            self.fields["stakeholder_baseline"].disabled = True
            self.fields["stakeholder_baseline"].help_text = "Taken only when the coaching starts: an amendment cannot add one."

    def clean_stakeholder_min_responses(self):
        return clean_stakeholder_minimum(self)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The end date must be after the start date.")
        return cleaned

    def changes(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields if field in self.cleaned_data}


class ObjectiveForm(forms.Form):
    description = forms.CharField(
        label="Objective", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What the coachee wants to achieve.",
    )
    success_measure = forms.CharField(
        label="Success measure", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How everyone will know it has been achieved.",
    )
    rated_by_coachee = forms.BooleanField(label="Coachee rates it", required=False, initial=True)
    rated_by_coach = forms.BooleanField(label="Coach rates it", required=False, initial=True)
    rated_by_sponsor = forms.BooleanField(label="Sponsor rates it", required=False, initial=False)
    rated_by_stakeholders = forms.BooleanField(label="Stakeholders rate it", required=False, initial=False)
    baseline = forms.TypedChoiceField(
        label=f"Baseline today ({Objective.SCALE_MIN}–{Objective.SCALE_MAX})", coerce=int, required=False, empty_value=None,
        choices=[("", "Choose")] + [(n, str(n)) for n in range(Objective.SCALE_MIN, Objective.SCALE_MAX + 1)],
    )
    target = forms.TypedChoiceField(
        label=f"Target ({Objective.SCALE_MIN}–{Objective.SCALE_MAX})", coerce=int, required=False, empty_value=None,
        choices=[("", "Choose")] + [(n, str(n)) for n in range(Objective.SCALE_MIN, Objective.SCALE_MAX + 1)],
        help_text="Where success lies on the scale; needed before the contract is sent.",
    )

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("DELETE"):
            return cleaned
        if not cleaned.get("description", "").strip():
            self.add_error("description", "Describe the objective.")
        if not cleaned.get("success_measure", "").strip():
            self.add_error("success_measure", "Say how success will be measured.")
        if not any(cleaned.get(f"rated_by_{who}") for who in ("coachee", "coach", "sponsor")):
            self.add_error("rated_by_coachee", "Choose who rates it.")
        if cleaned.get("baseline") is None and "baseline" not in self.errors:
            self.add_error("baseline", f"Give a baseline from {Objective.SCALE_MIN} to {Objective.SCALE_MAX}.")
        return cleaned


class BaseObjectiveFormSet(forms.BaseFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this objective"

    def objectives(self) -> list[dict]:
        """The objectives to keep, in order: filled in and not marked for removal."""
        return [
            {field: form.cleaned_data[field] for field in OBJECTIVE_FIELDS}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


ObjectiveFormSet = forms.formset_factory(
    ObjectiveForm, formset=BaseObjectiveFormSet, extra=1, can_delete=True, max_num=12, validate_max=True
)


def objective_initial(version: ContractVersion) -> list[dict]:
    return [{field: getattr(objective, field) for field in OBJECTIVE_FIELDS} for objective in version.objectives.all()]


def _add_target_errors(formset, error: ValidationError) -> None:
    """A missing target goes next to that objective's target field (positions count the kept forms)."""
    kept = [form for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
    for position, form in enumerate(kept, start=1):
        messages = error.error_dict.pop(objective_target_error_key(position), None)
        if messages:
            form.add_error("target", [message for item in messages for message in item.messages])


def add_draft_errors(form: ContractDraftForm, formset, error: ValidationError) -> None:
    """A service's refusal: per field on the draft form; objectives' problems above the objectives."""
    if hasattr(error, "error_dict"):
        _add_target_errors(formset, error)
        if not error.error_dict:
            return
    if hasattr(error, "error_dict") and "objectives" in error.error_dict:
        formset._non_form_errors = formset.error_class(
            [message for item in error.error_dict.pop("objectives") for message in item.messages]
        )
        if not error.error_dict:
            return
    add_service_errors(form, error)


class ContractingSessionForm(forms.Form):
    start = forms.DateTimeField(widget=forms.HiddenInput, error_messages={"required": "Choose a time for the session."})


class AnswerForm(forms.Form):
    """A party's answer to the text they were shown (its SHA-256 travels with the form)."""

    ACCEPT, CHANGES = "accept", "changes"

    text_sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    # Named by the button pressed (both buttons carry name="action").
    action = forms.ChoiceField(choices=[(ACCEPT, "Accept"), (CHANGES, "Ask for changes")])
    comment = forms.CharField(
        label="What would you like changed?", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only needed when asking for changes. The coach sees it.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.CHANGES and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Say what you would like changed.")
        return cleaned
