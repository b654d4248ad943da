from __future__ import annotations

from allauth.account.forms import LoginForm
from django import forms
from django.contrib.auth import password_validation

from coachhub.accounts.models import User
from coachhub.accounts.selectors import access_refusal
from coachhub.tenancy.models import time_zone_choices
from coachhub.tenancy.timezones import known_zones
from coachhub.tenancy.validators import validate_visible_characters
from coachhub.tenancy.widgets import ZoneSelect


class PracticeLoginForm(LoginForm):
    """allauth's login form; a right password at the wrong practice gets a clear message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = "Remember me on this device"

    def clean(self):
        cleaned = super().clean()
        if self.user is not None:
            refusal = access_refusal(self.user, getattr(self.request, "practice", None))
            if refusal:
                raise forms.ValidationError(refusal, code="no_access")
        return cleaned


class AcceptInvitationForm(forms.Form):
    """A new person names themselves and chooses a password; a known one confirms theirs."""

    full_name = forms.CharField(label="Your name", max_length=150, validators=[validate_visible_characters])
    password1 = forms.CharField(label="Choose a password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="Repeat the password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, existing_user: User | None = None, initial_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_user = existing_user
        self.fields["full_name"].initial = initial_name
        if existing_user is not None:
            del self.fields["full_name"], self.fields["password2"]
            self.fields["password1"].label = "Your CoachHub password"
            self.fields["password1"].widget.attrs["autocomplete"] = "current-password"

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password1")
        if not password:
            return cleaned
        if self.existing_user is not None:
            if not self.existing_user.check_password(password):
                self.add_error("password1", "That is not the password of this account.")
        elif password != cleaned.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        else:
            try:
                password_validation.validate_password(password, User(full_name=cleaned.get("full_name", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label="Your time zone", choices=[("", "Same as the practice")] + time_zone_choices(), required=False,
        widget=ZoneSelect,
    )

    class Meta:
        model = User
        fields = ["full_name", "time_zone"]
        labels = {"full_name": "Your name"}
        error_messages = {"full_name": {"required": "Give your name: the people you work with see it on pages and documents."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Optional on the model (an account may start without one), but a name once given is
        # never blanked: spaces alone are stripped to nothing and refused here.
        self.fields["full_name"].required = True

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data["time_zone"]
        if zone and zone not in known_zones():
            raise forms.ValidationError("Choose a time zone from the list.")
        return zone
