from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """Reminders that are sent exactly once, notification settings and the retention purge."""

    name = "reminders"
    label = "reminders"
    verbose_name = "Reminders"
