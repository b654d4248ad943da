"""Coaching sessions (issue 5)."""

from django.urls import path

from sessions import views

urlpatterns = [
    path("engagements/<int:engagement_id>/sessions/", views.engagement_sessions, name="engagement_sessions"),
    path("engagements/<int:engagement_id>/sessions/book/", views.book, name="book_session"),
    path("engagements/<int:engagement_id>/reflections/", views.add_reflection, name="add_reflection"),
    path("sessions/<int:session_id>/log/", views.log, name="session_log"),
    path("sessions/<int:session_id>/autosave/", views.autosave, name="session_autosave"),
    path("sessions/<int:session_id>/move/", views.move, name="move_session"),
    path("sessions/<int:session_id>/cancel/", views.cancel, name="cancel_session"),
    path("sessions/<int:session_id>/actions/", views.add_action, name="add_action"),
    path("sessions/<int:session_id>/share/", views.share_summary, name="share_summary"),
    path("practice/worked-on/", views.worked_on_topics, name="worked_on_topics"),
    path("actions/<int:action_id>/done/", views.tick_action, name="tick_action"),
    path("actions/<int:action_id>/remove/", views.remove_action, name="remove_action"),
]
