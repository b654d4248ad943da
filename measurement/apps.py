from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    """Measurement points, ratings and on/off-track status."""

    name = "measurement"
    verbose_name = "Measurement"

    def ready(self) -> None:
        # Importing the module subscribes it to contract and session events (the layers below).
        from measurement import subscribers  # noqa: F401
        from measurement.panels import progress_panel_html
        from sessions.panels import register_engagement_panel

        # The sessions page (below) shows the progress panel without loading measurement's tags.
        register_engagement_panel(progress_panel_html)
        # After measurement's own subscribers: the summary is built from what they wrote.
        from measurement.summaries import subscribers as summary_subscribers  # noqa: F401
