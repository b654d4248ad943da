"""Roster pages: the admin's coach roster, a coach's own profile and availability, calendar feed."""

from django.urls import path

urlpatterns: list = []
