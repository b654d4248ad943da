"""Validators shared by every app's names.

A name is printed where people trust it: page headings, emails, contract and progress PDFs.
Unicode's invisible format characters (category Cf: direction overrides and isolates such as
U+202E, zero-width spaces and joiners, the byte-order mark, the soft hyphen) and control
characters (Cc) show nothing themselves but change how the text around them reads — U+202E
prints the rest of a name backwards — so no name may contain one. The validator gives the
message next to the field; a CHECK constraint on each column (`visible_text_constraint`) keeps
whatever bypasses forms out as well.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc"})
# The same characters as code point ranges, for the database (PostgreSQL's regular expressions know
# no Unicode categories): Unicode 14's Cf and Cc, NUL aside (PostgreSQL never stores a NUL).
# Written out rather than computed, so a newer Python's Unicode tables do not change the
# constraints under the migrations; tests/tenancy/test_invisible_characters.py compares the two.
INVISIBLE_RANGES = (
    (0x0001, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C),
    (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E),
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)


def first_invisible_character(value: str, allowed: str = "") -> str | None:
    """The first character of `value` that is a format or control character (and not in
    `allowed`), or None."""
    return next(
        (char for char in value if unicodedata.category(char) in INVISIBLE_CATEGORIES and char not in allowed), None
    )


def describe_character(char: str) -> str:
    """U+202E RIGHT-TO-LEFT OVERRIDE: how a message names a character no one can see."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'CONTROL CHARACTER')}"


@deconstructible
class VisibleCharactersValidator:
    """Refuses text holding an invisible format or control character, naming the character.
    `allowed` lets a list typed one item per line keep its line breaks."""

    message = _(
        "This contains an invisible character (%(character)s) that can hide or reverse text. "
        "Remove it and type the name again."
    )
    code = "invisible_character"

    def __init__(self, allowed: str = ""):
        self.allowed = allowed

    def __call__(self, value) -> None:
        char = first_invisible_character(str(value), self.allowed)
        if char is not None:
            raise ValidationError(self.message, code=self.code, params={"character": describe_character(char)})

    def __eq__(self, other) -> bool:
        return isinstance(other, VisibleCharactersValidator) and other.allowed == self.allowed


    def message_for(self, value: str) -> str | None:
        """The message for `value`, or None if it is fine (for services that collect messages)."""
        try:
            self(value)
        except ValidationError as error:
            return error.messages[0]
        return None


validate_visible_characters = VisibleCharactersValidator()
# Names typed one per line (the practice's stakeholder groups).
validate_visible_lines = VisibleCharactersValidator(allowed="\r\n")


def _escape(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def invisible_pattern(allowed: str = "") -> str:
    """A regular expression, read alike by Python and PostgreSQL, matching one invisible character
    other than those in `allowed`."""
    parts = []
    for start, end in INVISIBLE_RANGES:
        for code in sorted(ord(char) for char in allowed if start <= ord(char) <= end):
            if start < code:
                parts.append((start, code - 1))
            start = code + 1
        if start <= end:
            parts.append((start, end))
    return "[" + "".join(_escape(a) if a == b else f"{_escape(a)}-{_escape(b)}" for a, b in parts) + "]"


def visible_text_constraint(field: str, *, name: str, allowed: str = "") -> models.CheckConstraint:
    """The database's side of VisibleCharactersValidator for one column."""
    return models.CheckConstraint(
        condition=~models.Q(**{f"{field}__regex": invisible_pattern(allowed)}), name=name,
        violation_error_message=_("This contains an invisible format or control character that can hide or reverse text."),
    )
