"""Data-rights fixtures: a practice where two coachees are coached by two coaches, each having written
something only they (or their coach) may see, marked with words that appear nowhere else; and the same in
a second practice, so an export can be searched for what must not be in it."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass

import pytest
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from engagements.models import Engagement
from sessions.models import CoachingSession
from sessions.services.actions import add_reflection, share_summary_with_sponsor
from tests.conftest import PracticeCast
from tests.measurement.conftest import point_of, rate
from tests.sessions.conftest import active_engagement, log, past_session


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Exports and PDFs are stored under a throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class Coached:
    """`cast` with coachee2 coached by coach (sponsored) and coachee by coach2, both completed."""

    cast: PracticeCast
    main: Engagement  # coachee2 with coach, sponsor a party
    other: Engagement  # coachee with coach2

    def marker(self, what: str) -> str:
        return f"{self.cast.practice.slug.upper()}-{what}"


def coached(cast: PracticeCast, *, complete: bool = True) -> Coached:
    """Two engagements with sessions held and logged, reflections, ratings; then (by default) completed,
    so that nothing is active and people may be erased."""
    slug = cast.practice.slug.upper()
    main = active_engagement(cast, coachee=cast.coachee2, coach=cast.coach)
    other = active_engagement(cast, coachee=cast.coachee, coach=cast.coach2)
    for engagement, coachee, coach in ((main, "COACHEE2", "COACH1"), (other, "COACHEE1", "COACH2")):
        for number in (1, 2, 3):
            session = past_session(cast, engagement, days_ago=40 - 3 * number, number=number)
            log(cast, session, goals=f"{slug}-{coach}-GOALS-{number}", private_notes=f"{slug}-{coach}-PRIVATE-{number}",
                summary=f"{slug}-{coachee}-SUMMARY-{number}", worked_on=[], attendance="held")
        with practice_context(cast.practice):
            Engagement.objects.filter(pk=engagement.pk).update(
                objectives=f"{slug}-{coachee}-OBJECTIVES to lead well", hopes=f"{slug}-{coachee}-HOPES",
            )
            add_reflection(engagement=engagement, actor=engagement.coachee, text=f"{slug}-{coachee}-REFLECTION")
    with practice_context(cast.practice):
        first = CoachingSession.objects.get(engagement=main, number=1)
        share_summary_with_sponsor(session=first, actor=cast.coachee2, shared=True)
    point = point_of(cast, main)
    rate(cast, point, cast.coachee2, 6, f"{slug}-COACHEE2-RATING-COMMENT")
    rate(cast, point, cast.coach, 6, f"{slug}-COACH1-RATING-COMMENT")
    rate(cast, point, cast.sponsor, 5, f"{slug}-SPONSOR-RATING-COMMENT")
    if complete:
        with practice_context(cast.practice):
            Engagement.objects.filter(pk__in=[main.pk, other.pk]).update(
                stage=Engagement.Stage.COMPLETED, completed_at=timezone.now(),
            )
    with practice_context(cast.practice):
        main, other = (Engagement.objects.select_related("coachee", "coach").get(pk=e.pk) for e in (main, other))
    return Coached(cast=cast, main=main, other=other)




@pytest.fixture
def acme_coached(acme) -> Coached:
    return coached(acme)


@pytest.fixture
def globex_coached(globex) -> Coached:
    return coached(globex)


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def texts(files: dict[str, bytes]) -> str:
    """Every JSON file and the README as one text, to search for what must (not) be there."""
    return "\n".join(
        content.decode() for name, content in files.items() if name.endswith((".json", ".txt"))
    )


def as_json(files: dict[str, bytes], name: str):
    return json.loads(files[name])
