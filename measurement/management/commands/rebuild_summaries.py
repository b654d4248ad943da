"""`manage.py rebuild_summaries [--practice SLUG]`: rebuild every engagement summary from the source
tables (measurement/summaries/), one practice at a time, and say how many rows were out of date — none,
when the subscribers kept them all."""

from __future__ import annotations

from django.db import transaction

from coachhub.tenancy.management.base import PracticeCommand
from coachhub.tenancy.models import Practice
from measurement.summaries.building import rebuild_summaries


class Command(PracticeCommand):
    help = "Rebuild the engagement summaries from the source tables (every practice, or those given)."

    def handle_practice(self, practice: Practice, **options) -> None:
        with transaction.atomic():
            engagements, changed = rebuild_summaries()
        self.stdout.write(f"{practice.slug}: {engagements} engagement(s), {changed} summary row(s) rebuilt.")
