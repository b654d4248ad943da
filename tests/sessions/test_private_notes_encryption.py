"""Private notes are stored encrypted, readable with any configured key, and re-encryptable."""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.db import connection

from coachhub.tenancy.context import practice_context
from sessions import encryption, selectors
from sessions.services.log import reencrypt_private_notes
from sessions.models import CoachingSession
from tests.sessions.conftest import log, past_session

SECRET = "Private note: considering leaving the company"


def raw_row(session_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(s)::text FROM coaching_sessions_coachingsession s WHERE id = %s", [session_id])
        return cursor.fetchone()[0]


def test_private_notes_are_not_stored_in_plain_text(acme, engagement):
    session = log(acme, past_session(acme, engagement), private_notes=SECRET)
    with practice_context(acme.practice):
        row = raw_row(session.pk)
        assert "considering leaving" not in row
        assert selectors.private_notes_of(CoachingSession.objects.select_related("engagement").get(pk=session.pk), engagement.coach) == SECRET


def test_private_notes_are_empty_for_anyone_but_the_coach(acme, engagement):
    session = log(acme, past_session(acme, engagement), private_notes=SECRET)
    with practice_context(acme.practice):
        session = CoachingSession.objects.select_related("engagement").get(pk=session.pk)
        for user in (acme.coachee2, acme.coach2, acme.admin, acme.sponsor):
            assert selectors.private_notes_of(session, user) == ""


def test_rotation_keeps_old_notes_readable_and_reencrypts_them(acme, engagement, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    session = log(acme, past_session(acme, engagement), private_notes=SECRET)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    with practice_context(acme.practice):
        stored = CoachingSession.objects.get(pk=session.pk).private_notes_ciphertext
        assert encryption.decrypt(stored) == SECRET
        assert reencrypt_private_notes() == 1
        rotated = CoachingSession.objects.get(pk=session.pk).private_notes_ciphertext
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert encryption.decrypt(rotated) == SECRET
    assert Fernet(new_key.encode()).decrypt(rotated.encode()).decode() == SECRET
