from django.apps import AppConfig


class CoachingSessionsConfig(AppConfig):
    """Coaching sessions. Labelled apart from django.contrib.sessions, whose label is "sessions"."""

    name = "sessions"
    label = "coaching_sessions"
    verbose_name = "Coaching sessions"

    def ready(self) -> None:
        from coachhub.roster.registry import register_booking_describer
        from sessions import checks  # noqa: F401  (the deploy check)
        from sessions.calendar_feed import COACHING_SESSION_RELATED, describe_coaching_session

        # The roster shows sessions in coaches' feeds without reaching up (coachhub/roster/registry.py).
        register_booking_describer(related=COACHING_SESSION_RELATED, describe=describe_coaching_session)
