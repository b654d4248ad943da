"""A deploy check: private notes need a valid encryption key outside development."""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def field_encryption_keys(app_configs, **kwargs) -> list[Error]:
    if not settings.FIELD_ENCRYPTION_KEYS:
        return [Error("FIELD_ENCRYPTION_KEYS is not set: private coach notes cannot be stored.", id="coaching_sessions.E001")]
    for position, key in enumerate(settings.FIELD_ENCRYPTION_KEYS, start=1):
        try:
            Fernet(key)
        except ValueError:
            return [Error(f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key.", id="coaching_sessions.E002")]
    return []
