"""Reminders: notification settings, one-click unsubscribe, and the admin's per-engagement view."""

from django.urls import path

from reminders import views

urlpatterns = [
    path("settings/", views.notification_settings, name="notification_settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("engagements/", views.engagements, name="reminder_engagements"),
    path("engagements/<int:engagement_id>/", views.engagement_reminders, name="engagement_reminders"),
    path("engagements/<int:engagement_id>/pause/", views.pause, name="pause_reminders"),
]
