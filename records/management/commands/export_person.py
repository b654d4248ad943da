"""`export_person --practice SLUG --email EMAIL --out PATH.zip`: a person's export, built here (audited)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from coachhub.tenancy import audit
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice
from records import building, services


class Command(BaseCommand):
    help = "Write the ZIP of a member's or former member's data in a practice (what /accounts/data/ sends them)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--practice", required=True, metavar="SLUG")
        parser.add_argument("--email", required=True)
        parser.add_argument("--out", required=True, metavar="PATH.zip")

    def handle(self, *args, practice: str, email: str, out: str, **options) -> None:
        found = Practice.objects.filter(slug=practice).first()
        if found is None:
            raise CommandError(f"No practice with slug: {practice}")
        path = Path(out)
        if path.suffix.lower() != ".zip":
            raise CommandError("--out must name a .zip file.")
        if not path.parent.is_dir():
            raise CommandError(f"No such folder: {path.parent}")
        with practice_context(found):
            try:
                person = services.person_by_email(email)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            content = building.export_zip(person)
            audit.record(actor=None, action="records.export_made", subject="Data export of {person}",
                         people={"person": person}, person=person.pk, by="export_person command")
        path.write_bytes(content)
        self.stdout.write(f"{path}: {len(content)} bytes, the data of {person.get_full_name()} at {found.name}")
