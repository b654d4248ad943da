"""`seed_demo`: two practices that share nothing, every role in each, the whole journey (demo/)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice
from demo import journey
from demo.calendars import seed_own_calendar
from demo.measurement import seed_measurement
from demo.records import seed_records
from demo.reminders import seed_reminders
from measurement.summaries.building import rebuild_summaries


class Command(BaseCommand):
    help = "Create (or complete) the demo practices acme and globex with a person in every role."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        journey.demo_user(journey.PLATFORM_STAFF, "Platform Staff", is_staff=True, is_superuser=True)
        for slug, spec in journey.PRACTICES.items():
            practice, _ = Practice.objects.get_or_create(
                slug=slug,
                defaults={key: spec[key] for key in ("name", "time_zone", "brand_colour")},
            )
            with practice_context(practice):
                self.seed_practice(practice, spec)
        self.stdout.write(self.style.SUCCESS("Demo data is in place (password: coachhub-demo)."))

    def seed_practice(self, practice: Practice, spec: dict) -> None:
        people = journey.seed_people(practice, spec)
        journey.seed_roster(people)
        if practice.slug == "acme":
            seed_own_calendar(people["coach"])
        journey.seed_chemistry_calls(people)
        journey.seed_contracts(people)
        journey.seed_sessions(people)
        seed_measurement(people)
        seed_reminders(people)
        seed_records(people)
        # Some demo rows are written directly rather than through the services: build their summaries.
        rebuild_summaries()
