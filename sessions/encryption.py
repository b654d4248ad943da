"""Private coach notes are encrypted with the project's field encryption (coachhub.tenancy.encryption,
keys from FIELD_ENCRYPTION_KEYS); this names it for the notes."""

from __future__ import annotations

from coachhub.tenancy import encryption
from coachhub.tenancy.encryption import Unreadable as NotesUnreadable
from coachhub.tenancy.encryption import encrypt, reencrypt

__all__ = ["NotesUnreadable", "decrypt", "encrypt", "reencrypt"]


def decrypt(token: str) -> str:
    return encryption.decrypt(token, what="Private notes")
