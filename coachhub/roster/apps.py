from django.apps import AppConfig


class RosterConfig(AppConfig):
    """The practice's coach roster: profiles, availability, bookings, coaches' own calendars."""

    name = "coachhub.roster"
    label = "roster"
    verbose_name = "Coach roster"

    def ready(self) -> None:
        # Importing the module subscribes it to what happens to people (coachhub/accounts/events.py).
        from coachhub.roster import subscribers  # noqa: F401
