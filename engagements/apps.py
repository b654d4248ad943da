from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    """A leader's coaching journey: chemistry calls, matching, contract."""

    name = "engagements"
    verbose_name = "Engagements"

    def ready(self) -> None:
        # Importing the module subscribes it to the calls' events (write-back to coaches' calendars).
        from engagements import calendar_writeback  # noqa: F401
