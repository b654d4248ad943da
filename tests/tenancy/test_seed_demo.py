"""`seed_demo` gives two practices with every role; running it twice changes nothing."""

import pytest
from django.core.management import call_command
from django.test import Client

from coachhub.accounts.models import User
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import ClientOrganisation, Membership, Practice

pytestmark = pytest.mark.django_db

ROLES = {"admin": "admin", "coach": "coach", "coach2": "coach", "coach3": "coach", "coachee": "coachee", "coachee2": "coachee", "sponsor": "sponsor"}


def snapshot():
    rows = []
    for practice in Practice.objects.order_by("slug"):
        with practice_context(practice):
            rows.append((practice.slug, Membership.objects.count(), ClientOrganisation.objects.count()))
    return rows, User.objects.count()


def test_seed_demo_is_idempotent_and_complete():
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert first[0] == [("acme", 8, 1), ("globex", 8, 1)]  # coachee3@ arrived with the measurement demo
    for slug in ("acme", "globex"):
        practice = Practice.objects.get(slug=slug)
        with practice_context(practice):
            for local, role in ROLES.items():
                user = User.objects.get(email=f"{local}@{slug}.example")
                assert user.check_password("coachhub-demo")
                assert user.emailaddress_set.get().verified
                assert Membership.objects.filter(user=user, role=role, is_active=True).exists()
            organisation = ClientOrganisation.objects.get()
            assert Membership.objects.get(role="sponsor").client_organisation == organisation


@pytest.mark.parametrize("local", ["admin", "coach", "coach2", "coach3", "coachee", "coachee2", "sponsor"])
def test_every_demo_login_signs_in_at_its_practice_only(local):
    call_command("seed_demo")
    acme = Client(HTTP_HOST="acme.localhost:8000")
    response = acme.post("/accounts/login/", {"login": f"{local}@acme.example", "password": "coachhub-demo"})
    assert response.status_code == 302
    assert b"Welcome," in acme.get("/").content
    globex = Client(HTTP_HOST="globex.localhost:8000")
    refused = globex.post("/accounts/login/", {"login": f"{local}@acme.example", "password": "coachhub-demo"})
    assert refused.status_code == 403 and b"has no access to Globex Leadership" in refused.content


def test_seed_demo_gives_the_roster_and_chemistry_calls_the_booking_issue_names():
    from django.utils import timezone

    from coachhub.roster.models import CoachProfile
    from engagements.models import ChemistryCall, Engagement

    call_command("seed_demo")
    call_command("seed_demo")
    for slug in ("acme", "globex"):
        with practice_context(Practice.objects.get(slug=slug)):
            profiles = {p.user.email.split("@")[0]: p for p in CoachProfile.objects.select_related("user")}
            coach, coach2, coach3 = profiles["coach"], profiles["coach2"], profiles["coach3"]
            assert coach.is_published and coach.time_zone == "Europe/London"
            assert [(h.weekday, h.starts_at.hour, h.ends_at.hour) for h in coach.weekly_hours.all()] == [(d, 9, 17) for d in range(5)]
            assert coach2.is_published and coach2.time_zone == "America/New_York"
            assert [(h.weekday, h.starts_at.hour, h.ends_at.hour) for h in coach2.weekly_hours.all()] == [(d, 10, 16) for d in range(4)]
            assert not coach3.is_published
            calls = ChemistryCall.objects.filter(engagement__coachee__email=f"coachee@{slug}.example").select_related("booking")
            past = [c for c in calls if c.booking.starts_at < timezone.now()]
            upcoming = [c for c in calls if c.booking.starts_at > timezone.now()]
            assert len(past) == 1 and past[0].coach_outcome == "yes" and past[0].coach == coach2.user
            assert len(upcoming) == 1 and upcoming[0].coach == coach.user
            matched = Engagement.objects.get(coachee__email=f"coachee2@{slug}.example")
            assert matched.stage == "contracting" and matched.coach == coach.user
