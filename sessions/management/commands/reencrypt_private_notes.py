"""Key rotation: re-encrypt every private coach note under the first of FIELD_ENCRYPTION_KEYS."""

from coachhub.tenancy.management.base import PracticeCommand
from sessions.services.log import reencrypt_private_notes


class Command(PracticeCommand):
    help = "Re-encrypt private coach notes with the first key of FIELD_ENCRYPTION_KEYS (after adding a new key first)."

    def handle_practice(self, practice, **options) -> None:
        self.stdout.write(f"{practice.slug}: {reencrypt_private_notes()} note(s) re-encrypted")
