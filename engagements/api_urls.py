"""The public JSON API for booking (/api/v1/)."""

from django.urls import path

urlpatterns: list = []
