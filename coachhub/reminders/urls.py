"""Reminders: notification settings, one-click unsubscribe, and the admin's per-engagement view."""

from django.urls import path

urlpatterns: list = []
