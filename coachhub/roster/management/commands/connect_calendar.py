"""Connect a coach's own calendar from the command line, through the same service as the page."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from coachhub.roster import selectors, services
from coachhub.roster.calendars import services as calendar_services
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice


class Command(BaseCommand):
    help = ("Connect a coach's calendar: --caldav URL --username U --password P [--calendar NAME], "
            "or --ical URL. Prints the calendars found and which one receives bookings.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--practice", required=True, metavar="SLUG")
        parser.add_argument("--coach", required=True, metavar="EMAIL")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--caldav", metavar="URL")
        source.add_argument("--ical", metavar="URL")
        parser.add_argument("--username", default="")
        parser.add_argument("--password", default="")
        parser.add_argument("--calendar", default="", metavar="NAME")

    def handle(self, *args, practice, coach, caldav, ical, username, password, calendar, **options) -> None:
        chosen = Practice.objects.filter(slug=practice).first()
        if chosen is None:
            raise CommandError(f"No practice with slug: {practice}")
        with practice_context(chosen):
            user = get_user_model().objects.filter(email__iexact=coach).first()
            if user is None or not selectors.is_active_coach(user.pk):
                raise CommandError(f"{coach} is not a coach of {practice}.")
            profile = services.profile_for_coach(user=user)
            try:
                if caldav:
                    if not username:
                        raise CommandError("--caldav needs --username and --password.")
                    connection = calendar_services.connect_caldav(
                        profile=profile, actor=None, url=caldav, username=username, password=password,
                        calendar_name=calendar,
                    )
                else:
                    connection = calendar_services.connect_ical(profile=profile, actor=None, url=ical)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(f"connected {connection} for {user.email}")
            for found in connection.calendars.all():
                marks = ["busy"] if found.counts_as_busy else []
                if found.receives_bookings:
                    marks.append("bookings go here")
                self.stdout.write(f"  calendar {found.name!r}: {', '.join(marks) or '-'}")
            if connection.kind == "ical":
                self.stdout.write("  bookings are not written to a subscription (read only)")
