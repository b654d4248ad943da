"""Reminder fixtures: a published coach, journey objects made through the services (which arm the
reminders), and a dispatcher run "as the clock says" for one practice."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from reminders import dispatch
from reminders.models import Reminder
from coachhub.tenancy.context import practice_context
from engagements import services as engagement_services
from engagements.models import ChemistryCall
from coachhub.roster.slots import free_slots
from tests.conftest import PracticeCast, publish_coach

UTC = ZoneInfo("UTC")
BASE_URL = "http://acme.localhost/"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eml_dir(settings, tmp_path):
    """Reminders written by the real development backend (one .eml per Message-ID)."""
    settings.EMAIL_BACKEND = "coachhub.tenancy.mail.EmlFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return tmp_path / "mail"


def coach_profile(cast: PracticeCast, coach=None, time_zone: str = "Europe/London"):
    with practice_context(cast.practice):
        return publish_coach(coach or cast.coach, weekdays=range(7), time_zone=time_zone, horizon_days=365)


def book_call(cast: PracticeCast, profile, *, days_ahead: int = 3, email: str = "leader@example.com") -> ChemistryCall:
    with practice_context(cast.practice):
        first = timezone.now().date() + timedelta(days=days_ahead)
        start = free_slots(profile, first_day=first, last_day=first + timedelta(days=7), zone=UTC)[0]
        call, _ = engagement_services.book_chemistry_call(
            profile=profile, starts_at=start, name="Lee Leader", email=email, objectives="Lead my team.",
            time_zone="Europe/London", base_url=BASE_URL,
        )
        return ChemistryCall.objects.select_related("booking", "engagement__coachee").get(pk=call.pk)


def run_dispatch(cast: PracticeCast, now: datetime | None = None, batch_size: int = dispatch.BATCH_SIZE):
    """As the task runs it: the dispatcher enters the practice's context itself, per transaction."""
    return dispatch.dispatch_due(practice=cast.practice, now=now, batch_size=batch_size)


def reminders(cast: PracticeCast, **filters) -> list[Reminder]:
    with practice_context(cast.practice):
        return list(Reminder.objects.filter(**filters).order_by("due_at", "kind", "recipient_id"))


def pending(cast: PracticeCast, **filters) -> list[tuple[str, int, datetime]]:
    return [(r.kind, r.recipient_id, r.due_at) for r in reminders(cast, state="pending", **filters)]
