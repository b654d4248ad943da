"""Pages: notification settings, one-click unsubscribe (RFC 8058), and the admin's per-engagement view
with its pause toggle. Other practices' and other people's objects answer 404."""

import pytest
from django.test import Client

from reminders.emails import unsubscribe_token
from reminders.models import EngagementPause, NotificationSettings
from coachhub.tenancy.context import practice_context
from tests.conftest import client_at
from tests.reminders.conftest import book_call, coach_profile
from tests.reminders.helpers import due_actions

pytestmark = pytest.mark.django_db


def settings_of(cast, user):
    with practice_context(cast.practice):
        return NotificationSettings.objects.filter(user=user).first()


def test_a_person_turns_a_kind_off_and_chooses_the_morning_digest(acme):
    client = client_at(acme, acme.coach)
    page = client.get("/reminders/settings/")
    assert page.status_code == 200 and b"A contract awaiting your acceptance" in page.content
    response = client.post("/reminders/settings/", {
        "enabled_kinds": ["chemistry_call_1h", "session_1h", "contract_acceptance"], "morning_digest": "on",
    })
    assert response.status_code == 302
    saved = settings_of(acme, acme.coach)
    assert saved.morning_digest and not saved.wants("chemistry_call_24h") and saved.wants("session_1h")


def test_an_unknown_kind_posted_is_a_message_not_a_500(acme):
    response = client_at(acme, acme.coach).post("/reminders/settings/", {"enabled_kinds": ["nonsense"]})
    assert response.status_code == 422 and b"Select a valid choice" in response.content
    assert settings_of(acme, acme.coach) is None


def test_the_settings_page_needs_a_sign_in(acme):
    assert Client(HTTP_HOST=acme.host).get("/reminders/settings/").status_code == 302


def test_unsubscribe_get_only_asks_and_post_unsubscribes_without_login_or_csrf(acme):
    token = unsubscribe_token(practice_id=acme.practice.pk, user_id=acme.coachee.pk, kind="action_due")
    client = Client(HTTP_HOST=acme.host, enforce_csrf_checks=True)
    page = client.get(f"/reminders/unsubscribe/{token}/")
    assert page.status_code == 200 and b"Stop these reminders" in page.content
    assert settings_of(acme, acme.coachee) is None  # a link scanner's GET changes nothing
    response = client.post(f"/reminders/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not settings_of(acme, acme.coachee).wants("action_due")
    assert settings_of(acme, acme.coachee).wants("session_1h")


def test_an_unsubscribe_link_of_another_practice_or_forged_is_404(acme, globex):
    token = unsubscribe_token(practice_id=acme.practice.pk, user_id=acme.coachee.pk, kind="action_due")
    assert Client(HTTP_HOST=globex.host).post(f"/reminders/unsubscribe/{token}/").status_code == 404
    assert Client(HTTP_HOST=acme.host).post(f"/reminders/unsubscribe/{token[:-3]}abc/").status_code == 404
    bad_kind = unsubscribe_token(practice_id=acme.practice.pk, user_id=acme.coachee.pk, kind="nonsense")
    assert Client(HTTP_HOST=acme.host).get(f"/reminders/unsubscribe/{bad_kind}/").status_code == 404


def test_the_admin_sees_an_engagements_reminders_in_their_zone_and_pauses_them(acme):
    call = book_call(acme, coach_profile(acme))
    acme.admin.time_zone = "America/New_York"
    acme.admin.save()
    client = client_at(acme, acme.admin)
    page = client.get(f"/reminders/engagements/{call.engagement_id}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Chemistry call: a day before" in text and "Lee Leader" in text and "Coach Acme" in text
    assert ("EST" in text or "EDT" in text) and "America/New_York" in text
    assert client.post(f"/reminders/engagements/{call.engagement_id}/pause/", {"paused": "1"}).status_code == 302
    with practice_context(acme.practice):
        assert EngagementPause.objects.filter(engagement_id=call.engagement_id).exists()
    assert "paused" in client.get(f"/reminders/engagements/{call.engagement_id}/").content.decode()
    client.post(f"/reminders/engagements/{call.engagement_id}/pause/", {"paused": "0"})
    with practice_context(acme.practice):
        assert not EngagementPause.objects.exists()


def test_another_practices_engagement_and_non_admins_get_404(acme, globex):
    call = book_call(acme, coach_profile(acme))
    assert client_at(globex, globex.admin).get(f"/reminders/engagements/{call.engagement_id}/").status_code == 404
    assert client_at(globex, globex.admin).post(f"/reminders/engagements/{call.engagement_id}/pause/", {"paused": "1"}).status_code == 404
    assert client_at(acme, acme.coach).get(f"/reminders/engagements/{call.engagement_id}/").status_code == 404
    assert client_at(acme, acme.coach).get("/reminders/engagements/").status_code == 404
    assert client_at(acme, acme.admin).get("/reminders/engagements/999999/").status_code == 404


def test_the_admin_views_run_a_constant_number_of_queries(acme, django_assert_max_num_queries):
    from reminders.models import Reminder

    client = client_at(acme, acme.admin)
    rows = due_actions(acme, 3)
    engagement_id = rows[0].engagement_id
    client.get(f"/reminders/engagements/{engagement_id}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/reminders/engagements/{engagement_id}/").status_code == 200
        assert client.get("/reminders/engagements/").status_code == 200
    with practice_context(acme.practice):
        session = Reminder.objects.first().engagement.coaching_sessions.first()
    more = due_actions(acme, 40, session=session)
    assert len(more) == 43
    with practice_context(acme.practice):
        assert Reminder.objects.count() == 43
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/reminders/engagements/{engagement_id}/")
        client.get("/reminders/engagements/")


def test_a_sponsor_is_offered_only_the_reminders_a_sponsor_gets_and_no_digest(acme):
    client = client_at(acme, acme.sponsor)
    page = client.get("/reminders/settings/").content.decode()
    assert "A contract awaiting your acceptance" in page and "A measurement point to rate" in page
    assert "Coaching session: after it, to log it" not in page and "Coaching session: a day before" not in page
    assert "digest at 07:00" not in page
    assert client.post("/reminders/settings/", {"enabled_kinds": ["contract_acceptance"]}).status_code == 302
    saved = settings_of(acme, acme.sponsor)
    assert not saved.wants("measurement_due") and saved.wants("contract_acceptance")
    assert saved.wants("session_24h") and not saved.morning_digest  # kinds not offered keep their setting


def test_a_leader_is_not_offered_the_coaches_reminders_nor_the_digest(acme):
    page = client_at(acme, acme.coachee).get("/reminders/settings/").content.decode()
    assert "Coaching session: a day before" in page and "An action due tomorrow" in page
    assert "Chemistry call: after it, to record the outcome" not in page and "digest at 07:00" not in page


def test_a_leader_posting_the_digest_or_a_coach_only_kind_changes_nothing_of_it(acme):
    client = client_at(acme, acme.coachee)
    response = client.post("/reminders/settings/", {"enabled_kinds": ["session_log"], "morning_digest": "on"})
    assert response.status_code == 422 and b"Select a valid choice" in response.content
    client.post("/reminders/settings/", {"enabled_kinds": ["session_24h"], "morning_digest": "on"})
    saved = settings_of(acme, acme.coachee)
    assert not saved.morning_digest and saved.wants("session_log") and not saved.wants("session_1h")


def test_the_admin_sees_what_each_reminder_is_about(acme):
    call = book_call(acme, coach_profile(acme))
    due_actions(acme, 1)
    text = client_at(acme, acme.admin).get(f"/reminders/engagements/{call.engagement_id}/").content.decode()
    with practice_context(acme.practice):
        from django.utils import timezone as tz

        local = tz.localtime(call.booking.starts_at, __import__("zoneinfo").ZoneInfo("Europe/London"))
    assert f"Chemistry call, {local:%a} {local.day} {local:%b, %H:%M} · to Lee Leader" in text


def test_the_admins_list_gives_each_engagement_its_coach_stage_and_counts(acme):
    call = book_call(acme, coach_profile(acme), days_ahead=3)
    text = client_at(acme, acme.admin).get("/reminders/engagements/").content.decode()
    assert f'href="/reminders/engagements/{call.engagement_id}/">Lee Leader</a>' in text
    assert "5 due · 0 sent" in text and "Chemistry calls" in text
