"""The ceiling: a bare one-file Django app that runs one ORM query and renders one template,
against the same PostgreSQL as the project, under the same gunicorn (2 workers, DEBUG off,
persistent connections). A page's share of its requests/s says how much of the time is ours.

`gunicorn bench.ceiling:application` with DATABASE_URL set (the bench's environment).
"""

from __future__ import annotations

import os

import django
import environ
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="ceiling-benchmark-only",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["bench.ceiling"],
    DATABASES={"default": {**environ.Env.db_url_config(os.environ["DATABASE_URL"]), "CONN_MAX_AGE": 60}},
    TEMPLATES=[{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {
            "page.html": "<!doctype html><html lang=en><title>{{ practice.name }}</title>"
                         "<h1>{{ practice.name }}</h1><p>Time zone: {{ practice.time_zone }}</p></html>",
        })]},
    }],
    USE_TZ=True,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import path  # noqa: E402

from bench.ceiling.models import Practice  # noqa: E402


def page(request):
    return render(request, "page.html", {"practice": Practice.objects.filter(slug="acme").first()})


urlpatterns = [path("", page)]
application = get_wsgi_application()
