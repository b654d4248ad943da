"""Helpers for the roster tests: uploaded images, a valid profile form, coaches and bookings."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from coachhub.roster.models import Booking, CoachProfile
from coachhub.tenancy.models import Membership, Role
from engagements.models import ChemistryCall, Engagement
from engagements.services import _hold
from tests.conftest import make_user

UTC = ZoneInfo("UTC")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded photos go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path


def image_upload(image_format: str = "PNG", size=(40, 40), name: str = "photo.png", exif=None) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, "#336699").save(buffer, image_format, **options)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")


def profile_form(profile: CoachProfile | None = None, **changes) -> dict:
    """A valid submission of the profile form: the profile's current values, then `changes`."""
    data = {
        "headline": "Executive coach", "bio": "", "approach": "", "specialisms": "", "accreditations": "",
        "languages": "", "time_zone": "Europe/London", "video_link": "", "capacity": "8",
    }
    if profile is not None:
        data.update(
            headline=profile.headline, bio=profile.bio, approach=profile.approach,
            specialisms=", ".join(profile.specialisms), accreditations=", ".join(profile.accreditations),
            languages=", ".join(profile.languages), time_zone=profile.time_zone,
            video_link=profile.video_link, capacity=str(profile.capacity),
        )
    data.update(changes)
    return data


def add_coach(email: str, name: str):
    """Another coach of the current practice."""
    user = make_user(email, name)
    Membership.objects.create(user=user, role=Role.COACH)
    return user


def end_coach_role(user) -> None:
    membership = Membership.objects.get(user=user, role=Role.COACH)
    membership.is_active, membership.deactivated_at = False, timezone.now()
    membership.save()


def booking(profile: CoachProfile, starts_at: datetime, kind: str = Booking.Kind.COACHING) -> Booking:
    return _hold(profile=profile, kind=kind, starts_at=starts_at)


def chemistry_call(profile: CoachProfile, leader, starts_at: datetime, **fields) -> ChemistryCall:
    engagement = Engagement.objects.filter(coachee=leader, stage=Engagement.Stage.CHEMISTRY).first()
    if engagement is None:
        engagement = Engagement.objects.create(coachee=leader, objectives="Lead through change.")
    held = booking(profile, starts_at, Booking.Kind.CHEMISTRY_CALL)
    _, digest = ChemistryCall.new_manage_token()
    return ChemistryCall.objects.create(
        engagement=engagement, coach_id=profile.user_id, booking=held, manage_token_digest=digest, **fields
    )


def carried(coach, coachee) -> Engagement:
    """An engagement in contracting: one coachee the coach carries."""
    return Engagement.objects.create(
        coachee=coachee, coach=coach, stage=Engagement.Stage.CONTRACTING, objectives="Grow as a leader.",
    )


def at(days: int, hour: int = 10) -> datetime:
    """`hour` o'clock UTC, `days` from today."""
    return datetime.combine(timezone.now().date() + timedelta(days=days), time(hour), tzinfo=UTC)


@pytest.fixture
def live_server_ics():
    """`live_server_ics(*vevents)`: the address of a subscription serving those events."""
    from tests.radicale import IcsServer
    from tests.roster.calendar_helpers import ics

    server = IcsServer()

    def serve(*events: str, extra: str = "") -> str:
        server.body = ics(*events, extra=extra)
        return server.url

    serve.server = server
    yield serve
    server.close()
