from django.core.management.base import BaseCommand, CommandError

from coachhub.tenancy.database import ensure_roles_and_database


class Command(BaseCommand):
    help = "Create CoachHub's database roles (owner, application) and database when missing."

    def handle(self, *args, **options) -> None:
        try:
            done = ensure_roles_and_database()
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("; ".join(done) if done else "database and roles already in place")
