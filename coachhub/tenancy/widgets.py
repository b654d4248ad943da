"""Form widgets shared by the apps."""

from __future__ import annotations

import html

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _escaped(text) -> str:
    return str(conditional_escape(text)) if hasattr(text, "__html__") else html.escape(str(text))


class ZoneSelect(forms.Select):
    """A select of the ~600 IANA time zones (flat choices), its options written in one pass. For
    this list Django's template per option costs about 20 ms a page, format_html per option about 7."""

    def render(self, name: str, value, attrs: dict | None = None, renderer=None) -> SafeString:
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{_escaped(option)}"{" selected" if str(option) in chosen else ""}>{_escaped(label)}</option>'
            for option, label in self.choices
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), mark_safe(options))
