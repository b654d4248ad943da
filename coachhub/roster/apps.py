from django.apps import AppConfig


class RosterConfig(AppConfig):
    """The practice's coach roster: profiles, availability (arrives with the booking issue)."""

    name = "coachhub.roster"
    label = "roster"
    verbose_name = "Coach roster"
