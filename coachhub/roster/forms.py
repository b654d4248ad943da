"""Input for a coach's profile and availability: parsed, normalised and explained here; the
rules that need the database (overlaps, publishing) are the services' and come back as
field errors."""

from __future__ import annotations

import io

from django import forms
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from coachhub.roster.models import CoachProfile, WeeklyHours
from coachhub.tenancy.forms import check_uploaded_image
from coachhub.tenancy.models import time_zone_choices
from coachhub.tenancy.timezones import zone_or_none
from coachhub.tenancy.widgets import ZoneSelect

PHOTO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_MAX_PIXELS = 4000
# Stored photos are re-encoded to at most this size: enough for a sharp directory card on a
# high-density screen, and the re-encoding drops metadata such as a phone's GPS position.
PHOTO_STORED_SIZE = (800, 800)


class CommaSeparatedField(forms.Field):
    """A list typed as 'one, two, three': trimmed, blanks dropped, duplicates (any case) removed."""

    widget = forms.TextInput

    def __init__(self, *, item_max_length: int, max_items: int = 20, max_length: int = 1000, **kwargs):
        self.item_max_length, self.max_items, self.max_length = item_max_length, max_items, max_length
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "maxlength": str(self.max_length)}

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, (list, tuple)) else value

    def to_python(self, value) -> list[str]:
        text = str(value or "")
        if len(text) > self.max_length:
            raise forms.ValidationError(f"Please keep this under {self.max_length} characters (it has {len(text)}).")
        items, seen = [], set()
        for part in text.split(","):
            item = " ".join(part.split())
            if item and item.casefold() not in seen:
                seen.add(item.casefold())
                items.append(item)
        return items

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        too_long = [item for item in value if len(item) > self.item_max_length]
        if too_long:
            raise forms.ValidationError(
                f"“{too_long[0][:40]}…” is too long: each entry can have at most {self.item_max_length} characters."
            )
        if len(value) > self.max_items:
            raise forms.ValidationError(f"Please list at most {self.max_items} entries (there are {len(value)}).")


def _normalised_photo(upload, image_format: str) -> ContentFile:
    """The upload upright, at most PHOTO_STORED_SIZE, in its own format, without metadata."""
    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(PHOTO_STORED_SIZE)
        if image_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, image_format, **({"quality": 88} if image_format in ("JPEG", "WEBP") else {}))
    return ContentFile(buffer.getvalue(), name=f"photo.{PHOTO_FORMATS[image_format]}")


class CoachProfileForm(forms.ModelForm):
    photo = forms.ImageField(
        required=False, widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text="A friendly head-and-shoulders photo: PNG, JPEG or WebP, at most 2 MB.",
    )
    remove_photo = forms.BooleanField(required=False, label="Remove my current photo")
    specialisms = CommaSeparatedField(
        item_max_length=60, help_text="Separate with commas, e.g. Executive presence, Career transitions.",
    )
    accreditations = CommaSeparatedField(
        item_max_length=120, help_text="Separate with commas, e.g. ICF PCC, EMCC Senior Practitioner.",
    )
    languages = CommaSeparatedField(
        item_max_length=40, help_text="The languages you coach in, separated by commas, e.g. English, French.",
    )
    time_zone = forms.ChoiceField(
        label="Your time zone", choices=time_zone_choices, widget=ZoneSelect,
        help_text="Your weekly hours are read in this zone, so they follow its clock changes.",
    )
    video_link = forms.URLField(
        label="Video-call link", required=False, max_length=200, assume_scheme="https",
        help_text="Your personal meeting room (Zoom, Teams, Google Meet…), sent with every booking.",
    )

    meeting_link_mode = forms.ChoiceField(
        label="Video link for meetings", required=False, widget=forms.RadioSelect,
        choices=CoachProfile._meta.get_field("meeting_link_mode").choices,
        help_text="A new link per meeting uses the pattern your practice admin set (for example a Jitsi room per meeting); "
                  "it goes into the invite, your calendar and the reminders.",
    )

    field_order = ["photo", "remove_photo"]

    class Meta:
        model = CoachProfile
        fields = [
            "photo", "headline", "bio", "approach", "specialisms", "accreditations", "languages",
            "time_zone", "video_link", "meeting_link_mode", "capacity",
        ]
        labels = {
            "headline": "Headline",
            "bio": "About you",
            "approach": "Your approach to coaching",
            "capacity": "Coachees you can take on at once",
        }
        help_texts = {
            "bio": "Your background and experience, as leaders will read it in the directory.",
            "approach": "How you work with leaders: what a session with you is like.",
            "capacity": "Leaders you are contracting with or coaching count against this; when you are full, nobody new can book you.",
        }
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 6}),
            "approach": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.photo:
            del self.fields["remove_photo"]

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data["time_zone"]
        if zone_or_none(zone) is None:
            raise forms.ValidationError("Choose a time zone from the list.")
        return zone

    def clean_meeting_link_mode(self) -> str:
        return self.cleaned_data["meeting_link_mode"] or "fixed"

    def clean_video_link(self) -> str:
        link = self.cleaned_data["video_link"]
        if link and not link.lower().startswith("https://"):
            raise forms.ValidationError("Use your meeting room's secure link: it starts with https://.")
        return link

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or photo is self.instance.photo:
            return photo
        check_uploaded_image(photo, what="photo", max_bytes=PHOTO_MAX_BYTES)
        image = photo.image
        if max(image.size) > PHOTO_MAX_PIXELS:
            raise forms.ValidationError(f"The photo is too large: at most {PHOTO_MAX_PIXELS} pixels on each side, please.")
        try:
            return _normalised_photo(photo, image.format)
        except (OSError, ValueError, Image.DecompressionBombError):
            raise forms.ValidationError("This image could not be read; please try another file.") from None

    def note_unsaved_photo(self) -> None:
        """Browsers empty a file input when a page with errors comes back: say so by the field."""
        if self.errors and self.files.get("photo") and "photo" not in self.errors:
            self.add_error("photo", "Your new photo is not saved yet: please choose it again before saving.")

    def changes(self) -> dict:
        """The validated values to apply, as the update_coach_profile service takes them."""
        changes = {field: self.cleaned_data[field] for field in self.changed_data if field in self.Meta.fields}
        if self.cleaned_data.get("remove_photo") and "photo" not in changes:
            changes["photo"] = ""
        return changes


class BookingRulesForm(forms.ModelForm):
    class Meta:
        model = CoachProfile
        fields = ["chemistry_call_minutes", "minimum_notice_hours", "buffer_minutes", "horizon_days"]
        labels = {
            "chemistry_call_minutes": "Chemistry call length (minutes)",
            "minimum_notice_hours": "Minimum notice (hours)",
            "buffer_minutes": "Buffer between meetings (minutes)",
            "horizon_days": "How far ahead people may book (days)",
        }
        help_texts = {
            "chemistry_call_minutes": "Between 15 and 120 minutes.",
            "minimum_notice_hours": "Nobody can book a call starting sooner than this.",
            "buffer_minutes": "Kept free after every meeting (up to 240).",
            "horizon_days": "Between 1 and 365 days.",
        }

    def changes(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.changed_data}


class WeeklyHoursForm(forms.Form):
    weekday = forms.TypedChoiceField(label="Day", coerce=int, choices=WeeklyHours.Weekday.choices)
    starts_at = forms.TimeField(label="From", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    ends_at = forms.TimeField(label="Until", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class TimeOffForm(forms.Form):
    first_day = forms.DateField(label="First day off", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last_day = forms.DateField(label="Last day off", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(
        label="Note", max_length=120, required=False, help_text="Only you see it, e.g. “Summer holiday”.",
    )
