"""Key rotation: re-encrypt every secret stored with FIELD_ENCRYPTION_KEYS under its first key:
private coach notes, and coaches' calendar credentials."""

from coachhub.roster.calendars.services import reencrypt_calendar_credentials
from coachhub.tenancy.management.base import PracticeCommand
from sessions.services.log import reencrypt_private_notes


class Command(PracticeCommand):
    help = ("Re-encrypt private coach notes and calendar credentials with the first key of FIELD_ENCRYPTION_KEYS "
            "(after adding a new key first).")

    def handle_practice(self, practice, **options) -> None:
        self.stdout.write(f"{practice.slug}: {reencrypt_private_notes()} note(s) re-encrypted")
        self.stdout.write(f"{practice.slug}: {reencrypt_calendar_credentials()} calendar connection(s) re-encrypted")
