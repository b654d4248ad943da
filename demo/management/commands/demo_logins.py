"""Printed by `make run`: where to go and whom to sign in as."""

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.journey import DEMO_PASSWORD, PLATFORM_STAFF, PRACTICES


class Command(BaseCommand):
    help = "Print the demo practices' addresses and logins."

    def handle(self, *args, **options) -> None:
        base = f"{settings.BASE_DOMAIN}:{settings.WEB_PORT}"
        lines = ["", "CoachHub is starting.", ""]
        lines += [f"  {spec['name']:<20} http://{slug}.{base}" for slug, spec in PRACTICES.items()]
        lines += [
            f"  {'Platform admin':<20} http://{base}/admin/  (sign in as {PLATFORM_STAFF})",
            f"  {'Health':<20} http://{base}/healthz",
            "",
            f"  Demo logins, password {DEMO_PASSWORD}; <slug> is acme or globex:",
            "    " + ", ".join(f"{local}@<slug>.example" for local in PRACTICES["acme"]["people"]),
            "  Every email sent is written to var/mail/ as an .eml file.",
            "",
        ]
        self.stdout.write("\n".join(lines))
