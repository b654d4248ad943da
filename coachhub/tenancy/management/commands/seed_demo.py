"""Demo data for trying CoachHub: two practices that share nothing, every role in each.

Idempotent: running it again changes nothing that is already there.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from coachhub.accounts.models import User
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import ClientOrganisation, Membership, Practice, Role

DEMO_PASSWORD = "coachhub-demo"
PLATFORM_STAFF = "staff@coachhub.example"

PRACTICES = {
    "acme": {
        "name": "Acme Coaching", "time_zone": "Europe/London", "brand_colour": "#1f5f8b",
        "organisation": "Initech Ltd",
        "people": {
            "admin": ("Amelia Hart", [Role.ADMIN]),
            "coach": ("Catherine Doyle", [Role.COACH]),
            "coach2": ("Marcus Reid", [Role.COACH]),
            "coachee": ("Daniel Okafor", [Role.COACHEE]),
            "coachee2": ("Sophie Lin", [Role.COACHEE]),
            "sponsor": ("Rachel Green", [Role.SPONSOR]),
        },
    },
    "globex": {
        "name": "Globex Leadership", "time_zone": "America/New_York", "brand_colour": "#7a3e9d",
        "organisation": "Umbrella Corp",
        "people": {
            "admin": ("Grace Miller", [Role.ADMIN]),
            "coach": ("Henry Walsh", [Role.COACH]),
            "coach2": ("Nina Patel", [Role.COACH]),
            "coachee": ("Omar Haddad", [Role.COACHEE]),
            "coachee2": ("Laura Chen", [Role.COACHEE]),
            "sponsor": ("Victor Stone", [Role.SPONSOR]),
        },
    },
}


def demo_user(email: str, full_name: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name, **extra)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


class Command(BaseCommand):
    help = "Create (or complete) the demo practices acme and globex with a person in every role."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        demo_user(PLATFORM_STAFF, "Platform Staff", is_staff=True, is_superuser=True)
        for slug, spec in PRACTICES.items():
            practice, _ = Practice.objects.get_or_create(
                slug=slug,
                defaults={key: spec[key] for key in ("name", "time_zone", "brand_colour")},
            )
            with practice_context(practice):
                self.seed_practice(practice, spec)
        self.stdout.write(self.style.SUCCESS("Demo data is in place (password: coachhub-demo)."))

    def seed_practice(self, practice: Practice, spec: dict) -> None:
        organisation, _ = ClientOrganisation.objects.get_or_create(name=spec["organisation"])
        for local_part, (full_name, roles) in spec["people"].items():
            user = demo_user(f"{local_part}@{practice.slug}.example", full_name)
            for role in roles:
                is_client = role in (Role.SPONSOR, Role.COACHEE)
                Membership.objects.get_or_create(
                    user=user, role=role,
                    defaults={"client_organisation": organisation if is_client else None},
                )
