from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for trying CoachHub: `seed_demo` and `demo_logins` (what `make run` starts with)."""

    name = "demo"
    verbose_name = "Demo data"
