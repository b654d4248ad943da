"""Meeting links: a coach's fixed link, or a new link per meeting from the practice's pattern, the
same in the invite, the event written into the coach's calendar, the feed and the reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coachhub.roster.meeting_links import meeting_link, meeting_token
from coachhub.roster.slots import free_slots
from engagements import services as engagement_services
from tests.conftest import client_at, publish_coach
from tests.roster.calendar_helpers import UTC
from tests.roster.conftest import profile_form
from tests.tenancy.test_practice_settings import settings_form

pytestmark = pytest.mark.django_db
BASE_URL = "http://acme.localhost:8000"
PATTERN = "https://meet.jit.si/acme-{token}"


def test_a_per_meeting_link_goes_into_the_invites_and_survives_a_move(acme, in_practice, mailoutbox, django_capture_on_commit_callbacks):
    acme.practice.meeting_link_pattern = PATTERN
    acme.practice.save()
    with in_practice(acme):
        profile = publish_coach(acme.coach, meeting_link_mode="per_meeting")
        today = timezone.now().date() + timedelta(days=2)
        first, second = free_slots(profile, first_day=today, last_day=today + timedelta(days=7), zone=UTC)[:2]
        with django_capture_on_commit_callbacks(execute=True):
            call, _ = engagement_services.book_chemistry_call(
                profile=profile, starts_at=first, name="Lee", email="lee@example.com", objectives="Grow.",
                time_zone="Europe/London", base_url=BASE_URL,
            )
        link = meeting_link(profile, uid=call.ics_uid)
        with django_capture_on_commit_callbacks(execute=True):
            engagement_services.reschedule_chemistry_call(call=call, starts_at=second, actor=acme.coach, base_url=BASE_URL)
    assert link == f"https://meet.jit.si/acme-{meeting_token(call.ics_uid)}" and link != profile.video_link
    invites = [m for m in mailoutbox if m.subject.startswith("Chemistry call")]
    assert invites and all(link in m.body for m in invites)
    assert all(link in a[1].replace("\r\n ", "") for m in invites for a in m.attachments if a[0].endswith(".ics"))
    feed = client_at(acme).get(f"/roster/calendar/{profile.calendar_token}.ics").content.decode().replace("\r\n ", "")
    assert f"LOCATION:{link}" in feed


def test_other_meetings_get_other_links_and_fixed_coaches_keep_theirs(acme, in_practice):
    acme.practice.meeting_link_pattern = PATTERN
    acme.practice.save()
    with in_practice(acme):
        per_meeting = publish_coach(acme.coach, meeting_link_mode="per_meeting")
        fixed = publish_coach(acme.coach2)
        assert meeting_link(per_meeting, uid="a@x") != meeting_link(per_meeting, uid="b@x")
        assert meeting_link(fixed, uid="a@x") == fixed.video_link


def test_the_pattern_must_be_https_with_one_token(acme):
    client = client_at(acme, acme.admin)
    for bad in ("http://meet.example/{token}", "https://meet.example/room", "https://m.example/{token}/{token}"):
        response = client.post("/practice/settings/", settings_form(acme, meeting_link_pattern=bad))
        assert response.status_code == 422 and "{token} once" in response.content.decode()
    response = client.post("/practice/settings/", settings_form(acme, meeting_link_pattern=PATTERN))
    assert response.status_code == 302
    acme.practice.refresh_from_db()
    assert acme.practice.meeting_link_pattern == PATTERN


def test_a_coach_cannot_choose_per_meeting_links_before_the_practice_has_a_pattern(acme, in_practice):
    with in_practice(acme):
        publish_coach(acme.coach)
    response = client_at(acme, acme.coach).post("/roster/me/", profile_form(meeting_link_mode="per_meeting"))
    assert "no pattern for per-meeting links" in response.content.decode()


def test_reminders_of_a_call_and_a_session_carry_the_same_per_meeting_link(acme, in_practice, mailoutbox):
    from tests.reminders.conftest import book_call, run_dispatch
    from tests.sessions.conftest import active_engagement, book

    acme.practice.meeting_link_pattern = PATTERN
    acme.practice.save()
    with in_practice(acme):
        profile = publish_coach(acme.coach, weekdays=range(7), horizon_days=365, meeting_link_mode="per_meeting")
    call = book_call(acme, profile, days_ahead=3)
    session = book(acme, active_engagement(acme), after_days=5)
    with in_practice(acme):
        call_link, session_link = meeting_link(profile, uid=call.ics_uid), meeting_link(profile, uid=session.ics_uid)
    assert call_link.startswith("https://meet.jit.si/acme-") and call_link != session_link
    mailoutbox.clear()
    for meeting, link in ((call, call_link), (session, session_link)):
        run_dispatch(acme, now=meeting.booking.starts_at - timedelta(hours=24) + timedelta(minutes=1))
        reminders = [m for m in mailoutbox if link in m.body]
        assert {m.to[0] for m in reminders} == {acme.coach.email, meeting.engagement.coachee.email}
        assert all(f'<a href="{link}">' in m.alternatives[0][0] for m in reminders)
        assert profile.video_link not in "".join(m.body for m in mailoutbox)
        mailoutbox.clear()
