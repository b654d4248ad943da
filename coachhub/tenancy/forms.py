from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from coachhub.tenancy import audit
from coachhub.tenancy.models import (
    ClientOrganisation,
    Practice,
    Role,
    time_zone_choices,
)
from coachhub.tenancy.timezones import known_zones
from coachhub.tenancy.validators import validate_visible_characters
from coachhub.tenancy.widgets import ZoneSelect


def posted(request):
    """The form data of a POST, None otherwise (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def posted_files(request):
    return request.FILES if request.method == "POST" else None


def form_status(*forms) -> int:
    """The status of a page that shows these forms (or formsets): 422 when one of them was sent
    and refused, 200 otherwise. Every page answers a refused form alike, so tests, monitoring and
    htmx (templates/base.html swaps 422 answers in) tell a refusal from a page."""
    return 422 if any(form is not None and form.is_bound and not form.is_valid() for form in forms) else 200


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


IMAGE_FORMATS = {"PNG", "JPEG", "WEBP"}
LOGO_MAX_BYTES = 1_048_576


def check_uploaded_image(upload, *, what: str, max_bytes: int) -> None:
    """An upload that forms.ImageField accepted: also small enough, and PNG, JPEG or WebP
    (never SVG, which could carry script)."""
    if upload.size > max_bytes:
        raise forms.ValidationError(f"The {what} is larger than {max_bytes // 1_048_576} MB; please use a smaller image.")
    image = getattr(upload, "image", None)
    if image is None or image.format not in IMAGE_FORMATS:
        raise forms.ValidationError(f"Use a PNG, JPEG or WebP image for the {what}.")


class PracticeSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label="Practice time zone", choices=time_zone_choices, widget=ZoneSelect)
    logo = forms.ImageField(
        required=False, help_text="PNG, JPEG or WebP, at most 1 MB. Shown at the top of every page and email."
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the current logo")

    field_order = ["name", "time_zone", "brand_colour", "logo", "remove_logo", "max_chemistry_calls", "coachees_book_sessions", "mid_point_percent", "measurement_grace_days", "on_track_tolerance", "stakeholder_groups", "stakeholders_in_rule", "stakeholder_baseline_days", "meeting_link_pattern", "lead_retention_months"]

    class Meta:
        model = Practice
        fields = ["name", "time_zone", "brand_colour", "logo", "max_chemistry_calls", "coachees_book_sessions", "mid_point_percent", "measurement_grace_days", "on_track_tolerance", "stakeholder_groups", "stakeholders_in_rule", "stakeholder_baseline_days", "meeting_link_pattern", "lead_retention_months"]
        labels = {
            "name": "Practice name",
            "brand_colour": "Brand colour",
            "max_chemistry_calls": "Chemistry calls per leader",
        }
        widgets = {"brand_colour": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.logo:
            del self.fields["remove_logo"]
        self.fields["stakeholder_groups"].required = False
        self.fields["stakeholder_baseline_days"].required = False
        self.fields["lead_retention_months"].required = False

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data["time_zone"]
        if zone not in known_zones():
            raise forms.ValidationError("Choose a time zone from the list.")
        return zone

    def clean_brand_colour(self) -> str:
        return self.cleaned_data["brand_colour"].lower()

    def clean_stakeholder_groups(self) -> str:
        """One group per line; left empty (or not posted), the list stays as it was."""
        text = (self.cleaned_data.get("stakeholder_groups") or "").strip()
        return text or self.instance.stakeholder_groups

    def clean_stakeholder_baseline_days(self) -> int:
        """Left empty (or not posted), it stays as it was."""
        days = self.cleaned_data.get("stakeholder_baseline_days")
        return self.instance.stakeholder_baseline_days if days is None else days

    def clean_lead_retention_months(self) -> int:
        """Left empty (or not posted), the period stays as it was."""
        months = self.cleaned_data.get("lead_retention_months")
        return self.instance.lead_retention_months if months is None else months

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and logo is not self.instance.logo:
            check_uploaded_image(logo, what="logo", max_bytes=LOGO_MAX_BYTES)
        return logo

    def changes(self) -> dict:
        """The validated values to apply, as the update_practice service takes them."""
        changes = {field: self.cleaned_data[field] for field in self.changed_data if field in self.Meta.fields}
        if self.cleaned_data.get("remove_logo"):
            changes["logo"] = ""
        return changes


class InvitePersonForm(forms.Form):
    email = forms.EmailField(label="Email address")
    full_name = forms.CharField(label="Name", max_length=150, required=False, validators=[validate_visible_characters])
    role = forms.ChoiceField(label="Role", choices=[("", "Choose a role")] + Role.choices)
    client_organisation = forms.ModelChoiceField(
        label="Client organisation", queryset=ClientOrganisation.objects.none(), required=False,
        help_text="For sponsors (required) and coachees: the employer they belong to.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_organisation"].queryset = ClientOrganisation.objects.all()

    def clean(self):
        cleaned = super().clean()
        role, organisation = cleaned.get("role"), cleaned.get("client_organisation")
        if organisation and role not in (Role.SPONSOR, Role.COACHEE):
            self.add_error("client_organisation", "Only sponsors and coachees belong to a client organisation.")
        if role == Role.SPONSOR and not organisation:
            self.add_error("client_organisation", "Choose the organisation this sponsor works for.")
        return cleaned


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles", choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text="Untick every role to deactivate this person here; their history is kept.",
    )
    client_organisation = forms.ModelChoiceField(
        label="Client organisation (sponsors and coachees)", queryset=ClientOrganisation.objects.none(),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_organisation"].queryset = ClientOrganisation.objects.all()


class ClientOrganisationForm(forms.ModelForm):
    class Meta:
        model = ClientOrganisation
        fields = ["name"]
        labels = {"name": "Organisation name"}

    def validate_unique(self) -> None:
        # The practice is set on save; check the practice-scoped uniqueness here for a clear message.
        name = self.cleaned_data.get("name", "")
        clash = ClientOrganisation.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if name and clash.exists():
            self.add_error("name", "There is already a client organisation with this name.")


class AuditFilters(forms.Form):
    """The audit page's GET filters. A bad value is shown as an error and ignored, never a 500."""

    person = forms.EmailField(label="Person (email)", required=False, max_length=254,
                              help_text="Entries by this person, or about them.")
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *audit.KINDS.items()])
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date is before the start date.")
        return cleaned

    def values(self) -> dict:
        """The valid filters, as `audit_entries` takes them; dates are whole days in the viewer's zone."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        zone = timezone.get_current_timezone()
        since, until = data.get("since"), data.get("until")
        return {
            "person_email": data.get("person") or "",
            "kind": data.get("kind") or "",
            "since": datetime.combine(since, time.min, zone) if since else None,
            "before": datetime.combine(until + timedelta(days=1), time.min, zone) if until else None,
        }

    def querystring(self) -> str:
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        return urlencode({key: value for key, value in data.items() if value and key in self.fields})
