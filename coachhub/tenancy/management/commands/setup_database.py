import psycopg2
from django.core.management.base import BaseCommand, CommandError

from coachhub.tenancy.database import ensure_roles_and_database


class Command(BaseCommand):
    help = "Create CoachHub's database roles (owner, application) and database when missing."

    def handle(self, *args, **options) -> None:
        try:
            done = ensure_roles_and_database()
        except psycopg2.OperationalError as error:
            raise CommandError(
                f"PostgreSQL is not reachable with DATABASE_ADMIN_URL ({error.args[0].strip()}). "
                "Start PostgreSQL, or point DATABASE_ADMIN_URL at a role that may create roles and databases."
            ) from error
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("; ".join(done) if done else "database and roles already in place")
