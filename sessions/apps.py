from django.apps import AppConfig


class CoachingSessionsConfig(AppConfig):
    """Coaching sessions. Labelled apart from django.contrib.sessions, whose label is "sessions"."""

    name = "sessions"
    label = "coaching_sessions"
    verbose_name = "Coaching sessions"

    def ready(self) -> None:
        from sessions import checks  # noqa: F401  (registers the deploy check)
