from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """A person's data: exports (subject-access requests) and erasure. It reads from every app,
    so it sits at the top of the layers beside the home pages and the demo."""

    name = "records"
    label = "records"
    verbose_name = "Data rights"

    def ready(self) -> None:
        # Importing the module subscribes it to what happens to people (the layers below).
        from records import subscribers  # noqa: F401
