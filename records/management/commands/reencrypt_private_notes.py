"""Key rotation: re-encrypt every secret stored with FIELD_ENCRYPTION_KEYS under its first key:
private coach notes, coaches' calendar credentials, and the export ZIPs and private-notes PDFs kept on
disk (records/files.py). Here, at the top of the layers, because it reaches all three."""

from coachhub.roster.calendars.services import reencrypt_calendar_credentials
from coachhub.tenancy.management.base import PracticeCommand
from records.files import reseal_stored_files
from sessions.services.log import reencrypt_private_notes


class Command(PracticeCommand):
    help = ("Re-encrypt private coach notes, calendar credentials and stored exports with the first key of "
            "FIELD_ENCRYPTION_KEYS (after adding a new key first).")

    def handle_practice(self, practice, **options) -> None:
        self.stdout.write(f"{practice.slug}: {reencrypt_private_notes()} note(s) re-encrypted")
        self.stdout.write(f"{practice.slug}: {reencrypt_calendar_credentials()} calendar connection(s) re-encrypted")
        self.stdout.write(f"{practice.slug}: {reseal_stored_files()} stored export(s) and notes PDF(s) re-encrypted")
