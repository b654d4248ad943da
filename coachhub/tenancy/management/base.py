"""Management commands that work on one practice's data run in its context."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice


class PracticeCommand(BaseCommand):
    """Adds `--practice SLUG` (repeatable; default every practice) and runs
    `handle_practice(practice, **options)` once per practice, inside its context."""

    def add_arguments(self, parser) -> None:
        parser.add_argument("--practice", action="append", dest="practices", metavar="SLUG")

    def handle(self, *args, practices=None, **options) -> None:
        chosen = Practice.objects.all()
        if practices:
            chosen = chosen.filter(slug__in=practices)
            missing = set(practices) - set(chosen.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No practice with slug: {', '.join(sorted(missing))}")
        for practice in chosen:
            with practice_context(practice):
                self.handle_practice(practice, **options)

    def handle_practice(self, practice: Practice, **options) -> None:
        raise NotImplementedError
