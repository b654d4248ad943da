"""Field-level encryption of secrets kept in the database (Fernet, keys from FIELD_ENCRYPTION_KEYS):
private coach notes, calendar credentials; and of files of people's data kept on disk (records/files.py).

The first key encrypts; every key decrypts, so a key is rotated by putting the new one first,
then re-encrypting (`reencrypt`) before the old one is dropped. Plaintext is never logged: errors
raised here carry none.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class Unreadable(Exception):
    """The stored ciphertext matches none of the configured keys."""


def _keys() -> list[bytes]:
    keys = [key.encode() for key in settings.FIELD_ENCRYPTION_KEYS]
    if not keys:
        # Settings derive a development key from SECRET_KEY when DEBUG is on; in production it is required.
        raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEYS: secrets cannot be stored without a key.")
    return keys


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str, *, what: str = "The stored secret") -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise Unreadable(f"{what} could not be decrypted with the configured keys.") from None


def reencrypt(token: str) -> str:
    """The same text under the current first key (rotation)."""
    return _fernet().rotate(token.encode()).decode() if token else ""


def encrypt_bytes(content: bytes) -> bytes:
    return _fernet().encrypt(content)


def decrypt_bytes(token: bytes, *, what: str = "The stored file") -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken:
        raise Unreadable(f"{what} could not be decrypted with the configured keys.") from None


def reencrypt_bytes(token: bytes) -> bytes:
    """The same content under the current first key (rotation)."""
    return _fernet().rotate(token)
