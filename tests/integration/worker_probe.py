"""A task for the worker integration test: reports what it can see from inside the worker."""

import json
import os

from celery import shared_task
from django.db import connection

from coachhub.tenancy.context import current_practice
from coachhub.tenancy.models import Membership


@shared_task
def report_visible_rows(*, path: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT practice_id FROM tenancy_membership")
        raw = sorted(row[0] for row in cursor.fetchall())
    practice = current_practice()
    report = {"practice": practice.slug if practice else None, "orm": Membership.objects.count(), "raw": raw}
    with open(path + ".part", "w") as out:
        json.dump(report, out)
    os.replace(path + ".part", path)  # the test sees the whole report or none
