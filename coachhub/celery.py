"""The Celery app. Redis is the broker; tasks carry their practice (see tenancy.tasks)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachhub.settings")

app = Celery("coachhub", task_cls="coachhub.tenancy.tasks:PracticeTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
