from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    """Measurement points, ratings and on/off-track status."""

    name = "measurement"
    verbose_name = "Measurement"
