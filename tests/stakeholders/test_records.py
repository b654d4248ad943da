"""Records: nominees' names and emails are purged with the engagement's other personal data when the
contract's retention period ends, and so are the stakeholders' comments (free text about the coachee);
the anonymous aggregates stay: groups, scores, means, response rates."""

from __future__ import annotations

import pytest

from coachhub.tenancy.context import practice_context
from engagements.models import ContractVersion
from measurement import dashboards
from measurement.selectors import progress_for
from measurement.services.closing import close_point
from records.retention import purge_expired_records
from tests.measurement.conftest import after_grace
from tests.records.test_retention import complete
from tests.stakeholders.conftest import answer, due_point, name

pytestmark = pytest.mark.django_db


def test_the_retention_purge_removes_names_and_emails_and_keeps_the_aggregates(acme, engagement):
    peers = name(acme, engagement, "Peers", 3)
    point = due_point(acme, engagement)
    for nominee, score in zip(peers, (5, 6, 7), strict=True):
        answer(acme, point, nominee, score, "Clearer priorities")
    with practice_context(acme.practice):
        close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
        months = ContractVersion.objects.get(engagement=engagement, status="accepted").retention_months
    complete(acme, engagement, months_ago=months, days=1)
    with practice_context(acme.practice):
        rates = dashboards.load_progress([engagement])[engagement.pk].stakeholder_rates
        assert rates and purge_expired_records().engagements == 1
        assert dashboards.load_progress([engagement])[engagement.pk].stakeholder_rates == rates
        assert not engagement.nominees.exclude(name="", email="").exists()
        assert engagement.nominees.filter(purged_at__isnull=False).count() == 3
        engagement.refresh_from_db()
        view = next(v for v in progress_for(engagement, None).points if v.point.pk == point.pk)
        assert view.stakeholders.label == "Stakeholders (n=3)" and view.stakeholders.means[1] == 6
        assert view.stakeholders.comments == []
