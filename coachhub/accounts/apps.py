from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coachhub.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from coachhub.accounts import signals  # noqa: F401  (registers the receivers)
