"""Sync coaches' own calendars now (what the beat does every 5 minutes), one line per connection."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from coachhub.roster.calendars.models import CalendarConnection
from coachhub.roster.calendars.sync import sync_connection
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice


class Command(BaseCommand):
    help = "Sync every connection that is not paused; prints calendar_sync coach=EMAIL busy_blocks=N status=ok|failing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--practice", metavar="SLUG")

    def handle(self, *args, practice=None, **options) -> None:
        practices = Practice.objects.filter(suspended_at__isnull=True)
        if practice:
            practices = Practice.objects.filter(slug=practice)
            if not practices.exists():
                raise CommandError(f"No practice with slug: {practice}")
        for chosen in practices:
            with practice_context(chosen):
                ids = list(CalendarConnection.objects.filter(is_paused=False).order_by("pk").values_list("pk", flat=True))
            # Each sync opens its own short transactions; no transaction is open while a server is asked.
            for connection_id in ids:
                outcome = sync_connection(practice=chosen, connection_id=connection_id)
                if outcome is not None:
                    self.stdout.write(
                        f"calendar_sync coach={outcome.coach_email} busy_blocks={outcome.busy_blocks} status={outcome.status}"
                    )
