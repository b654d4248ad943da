"""Every filter the dashboards run is served by an index (named here, checked in the database)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# (table, the index's leading columns, what the dashboards filter with it)
SERVED = [
    ("engagements_contractversion", ["practice_id", "sponsor_id", "status"], "the sponsor's accepted contracts"),
    ("engagements_engagement", ["practice_id", "coach_id", "stage"], "coach and stage filters; each coach's load"),
    ("measurement_measurementpoint", ["practice_id", "engagement_id", "kind"], "an engagement's points, latest verdict"),
    ("measurement_measurementpoint", ["practice_id", "closed_at", "fell_due_at"], "points due and overdue"),
    ("measurement_rating", ["practice_id", "point_id"], "a page's ratings, by point"),
    ("measurement_objectiveresult", ["practice_id", "point_id"], "a page's results, by point"),
    ("engagements_objective", ["practice_id", "version_id"], "the contract in force's objectives"),
    ("coaching_sessions_coachingsession", ["practice_id", "engagement_id"], "sessions used; shared summaries"),
    ("roster_booking", ["practice_id", "coach_id", "starts_at"], "sessions held this month, per coach"),
    ("tenancy_membership", ["practice_id", "user_id", "role"], "the sponsor's organisation; the practice's coaches"),
    ("roster_coachprofile", ["practice_id", "user_id"], "each coach's capacity"),
    ("measurement_engagementsummary", ["practice_id", "engagement_id"], "each engagement's summary, joined to its row"),
    ("measurement_engagementsummary", ["practice_id", "stage", "latest_status"], "stage and status filters on summaries"),
    ("measurement_engagementsummary", ["practice_id", "coach_id", "stage"], "a coach's coachees on the home page"),
    ("measurement_engagementsummary", ["practice_id", "coachee_id", "stage"], "a coachee's engagements on the home page"),
    ("measurement_engagementsummary", ["practice_id", "client_organisation_id", "stage"], "an organisation's engagements"),
    ("measurement_engagementsummary", ["practice_id", "contract_sponsor_id", "stage"], "the sponsor of the contract in force"),
]


@pytest.mark.parametrize("table, columns, purpose", SERVED, ids=[purpose for *_, purpose in SERVED])
def test_the_filter_has_an_index(table, columns, purpose):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexed = [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]
    assert any(index[: len(columns)] == columns for index in indexed), (table, columns, indexed)
