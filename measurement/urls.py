"""Measurement: points and ratings (per engagement), progress reports, and the dashboards."""

from django.urls import path

urlpatterns: list = [
    # -- points, ratings and progress reports (measurement/views.py) --
    # -- dashboards and the CSV export (measurement/dashboard_views.py) --
]
