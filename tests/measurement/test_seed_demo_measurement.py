"""`seed_demo`: coachee@'s engagement on track at a closed mid-point rated by all three; coachee3@
with coach2@ off track at its mid-point and an end-point awaiting the sponsor; the same at globex;
running it twice changes nothing."""

import pytest
from django.core.management import call_command
from django.test import Client

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Practice
from engagements.models import Engagement
from measurement.models import MeasurementPoint, Rating, RatingRevision

pytestmark = pytest.mark.django_db


def counts():
    rows = []
    for practice in Practice.objects.order_by("slug"):
        with practice_context(practice):
            rows.append((MeasurementPoint.objects.filter(closed_at__isnull=False).count(), Rating.objects.count(),
                         RatingRevision.objects.count()))
    return rows


def test_seed_demo_measures_both_engagements_in_each_practice_idempotently():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    for slug in ("acme", "globex"):
        with practice_context(Practice.objects.get(slug=slug)):
            active = Engagement.objects.get(coachee__email=f"coachee@{slug}.example", stage="active")
            mid = active.measurement_points.get(kind="mid")
            assert mid.status == "on_track" and {r.role for r in mid.ratings.all()} == {"coachee", "coach", "sponsor"}
            assert all(o.target for o in mid.version.objectives.all())
            second = Engagement.objects.get(coachee__email=f"coachee3@{slug}.example")
            assert second.stage == "active" and second.coach.email == f"coach2@{slug}.example"
            assert second.sponsor.email == f"sponsor@{slug}.example"
            assert second.measurement_points.get(kind="mid").status == "off_track"
            end = second.measurement_points.get(kind="end")
            assert not end.is_closed and end.fell_due_at is not None
            assert {r.role for r in end.ratings.all()} == {"coachee", "coach"}


def test_the_demo_coachee_sees_the_progress_with_charts():
    call_command("seed_demo")
    client = Client(HTTP_HOST="acme.localhost:8000")
    client.post("/accounts/login/", {"login": "coachee@acme.example", "password": "coachhub-demo"})
    with practice_context(Practice.objects.get(slug="acme")):
        engagement = Engagement.objects.get(coachee__email="coachee@acme.example", stage="active")
    page = client.get(f"/engagements/{engagement.pk}/sessions/").content.decode()
    assert "Progress on the objectives" in page and "<svg" in page and "On track" in page


def test_demo_points_close_after_they_fall_due_and_each_coachee_has_their_own_comments():
    call_command("seed_demo")
    for practice in Practice.objects.all():
        with practice_context(practice):
            for point in MeasurementPoint.objects.filter(closed_at__isnull=False):
                assert point.closed_at >= point.fell_due_at, point
            comments = {
                email: set(Rating.objects.filter(point__engagement__coachee__email=email.format(practice.slug))
                           .exclude(comment="").values_list("comment", flat=True))
                for email in ("coachee@{}.example", "coachee3@{}.example")
            }
            assert comments["coachee@{}.example"] and comments["coachee3@{}.example"]
            assert not comments["coachee@{}.example"] & comments["coachee3@{}.example"]
