"""`seed_scale --practices N`: N practices (scale-0001 …) of 20 coaches and 50 coachees with a year of
coaching each, written with COPY (demo/scale/). Idempotent: practices already there are skipped."""

from __future__ import annotations

import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice
from demo.journey import DEMO_PASSWORD
from demo.scale import writing
from demo.scale.practice import COACH_COUNT, COACHEE_COUNT, slug
from measurement.summaries.building import rebuild_summaries


class Command(BaseCommand):
    help = (
        f"Add practices scale-0001 … scale-NNNN ({COACH_COUNT} coaches, {COACHEE_COUNT} coachees and a year of "
        "coaching each) that are not there yet, with COPY as the tables' owner."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--practices", type=int, default=1000, help="how many scaled practices there should be")
        parser.add_argument("--batch", type=int, default=50, help="practices per transaction (default 50)")

    def handle(self, *args, practices: int, batch: int, **options) -> None:
        if practices < 1 or batch < 1:
            raise CommandError("--practices and --batch take a whole number of at least 1.")
        started = time.monotonic()
        already = writing.existing_numbers()
        wanted = [number for number in range(1, practices + 1) if number not in already]
        if not wanted:
            self.stdout.write(f"All {practices} scaled practices are there already: nothing added.")
            return
        totals: dict[str, int] = {}

        def report(numbers: list[int], copied: dict[str, int]) -> None:
            for table, count in copied.items():
                totals[table] = totals.get(table, 0) + count
            self.stdout.write(
                f"{slug(numbers[0])} … {slug(numbers[-1])}: {sum(totals.values()):,} rows so far, "
                f"{time.monotonic() - started:.0f} s"
            )

        writing.seed(
            wanted, now=timezone.now().replace(microsecond=0), batch=batch, report=report,
            password_hash=make_password(DEMO_PASSWORD),  # hashed once: every scaled person shares it
        )
        writing.analyze()
        # COPY went around the subscribers: build the new practices' engagement summaries.
        for practice in Practice.objects.filter(slug__in=[slug(number) for number in wanted]):
            with practice_context(practice), transaction.atomic():
                rebuild_summaries()
        self.stdout.write(self.style.SUCCESS(
            f"{len(wanted)} scaled practices added ({len(already & set(range(1, practices + 1)))} were there), "
            f"{sum(totals.values()):,} rows in {time.monotonic() - started:.0f} s (password: {DEMO_PASSWORD})."
        ))
