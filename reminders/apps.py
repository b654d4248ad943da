from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """Reminders that are sent exactly once, and notification settings."""

    name = "reminders"
    label = "reminders"
    verbose_name = "Reminders"

    def ready(self) -> None:
        # Importing the module subscribes it to the journey's events (the layers below).
        from reminders import subscribers  # noqa: F401
