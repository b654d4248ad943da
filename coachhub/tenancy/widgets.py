"""Form widgets shared by the apps."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


class ZoneSelect(forms.Select):
    """A select of the ~600 IANA time zones (flat choices), its options written in one pass:
    Django renders a template per option, about 20 ms for this list on every page showing it."""

    def render(self, name: str, value, attrs: dict | None = None, renderer=None) -> SafeString:
        chosen = set(self.format_value(value))
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((option, mark_safe(" selected") if str(option) in chosen else "", label) for option, label in self.choices),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options)
