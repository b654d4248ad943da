from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    """A leader's coaching journey: chemistry calls, matching, contract."""

    name = "engagements"
    verbose_name = "Engagements"
