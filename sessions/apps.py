from django.apps import AppConfig


class CoachingSessionsConfig(AppConfig):
    """Coaching sessions. Labelled apart from django.contrib.sessions, whose label is "sessions"."""

    name = "sessions"
    label = "coaching_sessions"
    verbose_name = "Coaching sessions"

    def ready(self) -> None:
        from sessions import calendar_writeback, checks  # noqa: F401  (write-back subscribers; the deploy check)
