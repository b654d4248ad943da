"""A request reaches a practice by its host; anything else is the platform or a 404."""

import pytest
from django.test import Client
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Domain

pytestmark = pytest.mark.django_db


def test_practice_subdomain_serves_that_practice(acme, globex):
    response = Client(HTTP_HOST="acme.localhost:8000").get("/")
    assert response.status_code == 200
    assert b"Acme Coaching" in response.content
    assert b"Globex" not in response.content


def test_unknown_host_is_a_clear_404(acme):
    response = Client(HTTP_HOST="nope.localhost").get("/")
    assert response.status_code == 404
    assert b"There is no coaching practice here" in response.content


def test_deeper_subdomain_is_not_a_practice(acme):
    assert Client(HTTP_HOST="x.acme.localhost").get("/").status_code == 404


def test_custom_domain_serves_its_practice(acme):
    with practice_context(acme.practice):
        Domain.objects.create(host="coaching.acme-corp.test")
    response = Client(HTTP_HOST="coaching.acme-corp.test").get("/")
    assert response.status_code == 200
    assert b"Acme Coaching" in response.content


def test_bare_domain_is_the_platform(acme):
    response = Client(HTTP_HOST="localhost:8000").get("/")
    assert response.status_code == 200
    assert b"CoachHub" in response.content
    assert b"Acme Coaching" not in response.content


def test_django_admin_exists_only_on_the_bare_domain(acme):
    assert Client(HTTP_HOST="acme.localhost").get("/admin/").status_code == 404
    assert Client(HTTP_HOST="localhost").get("/admin/").status_code == 302


def test_suspended_practice_gets_a_clear_403(acme):
    acme.practice.suspended_at = timezone.now()
    acme.practice.save()
    response = Client(HTTP_HOST="acme.localhost").get("/accounts/login/")
    assert response.status_code == 403
    assert b"is unavailable" in response.content
