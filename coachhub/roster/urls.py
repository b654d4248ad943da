"""Roster pages: the admin's coach roster, a coach's own profile and availability, calendar feed."""

from django.urls import path

from coachhub.roster import views
from coachhub.roster.calendars import views as calendar_views

urlpatterns = [
    path("", views.roster, name="roster"),
    path("coaches/<int:profile_id>/unpublish/", views.roster_action, {"action": "unpublish"}, name="roster_unpublish"),
    path("coaches/<int:profile_id>/deactivate/", views.roster_action, {"action": "deactivate"}, name="roster_deactivate"),
    path("coaches/<int:profile_id>/reactivate/", views.roster_action, {"action": "reactivate"}, name="roster_reactivate"),
    path("coaches/<int:profile_id>/photo", views.coach_photo, name="coach_photo"),
    path("me/", views.my_profile, name="roster_my_profile"),
    path("me/publish/", views.publish, name="roster_publish"),
    path("me/unpublish/", views.unpublish, name="roster_unpublish_mine"),
    path("me/availability/", views.availability, name="roster_availability"),
    path("me/availability/hours/", views.add_hours, name="roster_add_hours"),
    path("me/availability/hours/<int:window_id>/remove/", views.remove_hours, name="roster_remove_hours"),
    path("me/availability/time-off/", views.add_time_off, name="roster_add_time_off"),
    path("me/availability/time-off/<int:period_id>/remove/", views.remove_time_off, name="roster_remove_time_off"),
    path("me/availability/rules/", views.booking_rules, name="roster_booking_rules"),
    path("me/calendar/reset/", views.reset_calendar, name="roster_reset_calendar"),
    path("me/calendars/", calendar_views.calendars, name="roster_calendars"),
    path("me/calendars/caldav/", calendar_views.connect_caldav, name="roster_connect_caldav"),
    path("me/calendars/ical/", calendar_views.connect_ical, name="roster_connect_ical"),
    *[
        path(f"me/calendars/<int:connection_id>/{action}/", calendar_views.connection_action, {"action": action},
             name=f"roster_calendar_{action}")
        for action in ("choose", "test", "sync", "pause", "resume", "remove")
    ],
    path("calendar/<str:token>.ics", views.calendar_feed, name="coach_calendar_feed"),
]
