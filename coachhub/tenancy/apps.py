from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "coachhub.tenancy"
    label = "tenancy"
    verbose_name = "Practices"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from coachhub.tenancy.database import grant_application_role

        post_migrate.connect(grant_application_role, dispatch_uid="tenancy_grant_application_role")
