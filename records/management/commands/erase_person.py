"""`erase_person --practice SLUG --email EMAIL --yes`: erase a person (records/erasure.py); when erasure
is not allowed, prints the reason and exits 1."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice
from records import erasure, services


class Command(BaseCommand):
    help = "Erase a member or former member of a practice (anonymised in place; contract records kept as the law requires)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--practice", required=True, metavar="SLUG")
        parser.add_argument("--email", required=True)
        parser.add_argument("--yes", action="store_true", help="Confirm: erasure cannot be undone.")

    def handle(self, *args, practice: str, email: str, yes: bool, **options) -> None:
        found = Practice.objects.filter(slug=practice).first()
        if found is None:
            raise CommandError(f"No practice with slug: {practice}")
        with practice_context(found):
            try:
                person = services.person_by_email(email)
                plan = erasure.plan_erasure(person)
                if plan.refusal:
                    raise CommandError(plan.refusal)
                if not yes:
                    raise CommandError("Erasure cannot be undone: add --yes to erase.")
                done = erasure.erase_person(person=person, actor=None)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Erased from {found.name}: the practice's records now say “{done.label}”.")
        self.stdout.write(erasure.LEGAL_BASIS)
