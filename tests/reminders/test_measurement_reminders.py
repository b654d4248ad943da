"""A measurement point that falls due reminds each rater who has not rated, then weekly until it closes."""

from datetime import timedelta

import pytest

from tests.measurement.conftest import due_mid_point, rate
from tests.measurement.conftest import engagement as measured_engagement  # noqa: F401
from tests.reminders.conftest import pending, reminders, run_dispatch

pytestmark = pytest.mark.django_db


def test_a_point_falling_due_arms_each_rater_and_rating_disarms_them(acme, measured_engagement):  # noqa: F811
    point = due_mid_point(acme, measured_engagement)
    raters = {acme.coachee2.pk, acme.coach.pk, acme.sponsor.pk}
    assert {(kind, who, due) for kind, who, due in pending(acme)} == {
        ("measurement_due", who, point.fell_due_at) for who in raters
    }
    rate(acme, point, acme.coachee2, 6)
    assert {who for _, who, _ in pending(acme)} == {acme.coach.pk, acme.sponsor.pk}


def test_the_raters_left_are_reminded_weekly_and_closing_ends_it(acme, measured_engagement, mailoutbox):  # noqa: F811
    point = due_mid_point(acme, measured_engagement)
    rate(acme, point, acme.coachee2, 6)
    rate(acme, point, acme.coach, 7)
    run_dispatch(acme, now=point.fell_due_at + timedelta(minutes=1))
    assert [m.to for m in mailoutbox] == [[acme.sponsor.email]]
    assert f"/progress/points/{point.pk}/" in mailoutbox[0].body
    assert pending(acme) == [("measurement_due", acme.sponsor.pk, point.fell_due_at + timedelta(days=7))]
    rate(acme, point, acme.sponsor, 5)  # the last rater: the point closes
    assert pending(acme) == []
    assert {r.state for r in reminders(acme)} == {"sent", "cancelled"}
