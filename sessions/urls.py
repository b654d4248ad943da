"""Coaching sessions (issue 5)."""

from django.urls import path

from sessions.views import actions, booking, engagement, log

urlpatterns = [
    path("engagements/<int:engagement_id>/sessions/", engagement.engagement_sessions, name="engagement_sessions"),
    path("engagements/<int:engagement_id>/sessions/book/", booking.book, name="book_session"),
    path("engagements/<int:engagement_id>/reflections/", engagement.add_reflection, name="add_reflection"),
    path("sessions/<int:session_id>/log/", log.log, name="session_log"),
    path("sessions/<int:session_id>/autosave/", log.autosave, name="session_autosave"),
    path("sessions/<int:session_id>/move/", booking.move, name="move_session"),
    path("sessions/<int:session_id>/cancel/", booking.cancel, name="cancel_session"),
    path("sessions/<int:session_id>/actions/", actions.add_action, name="add_action"),
    path("sessions/<int:session_id>/share/", engagement.share_summary, name="share_summary"),
    path("practice/worked-on/", log.worked_on_topics, name="worked_on_topics"),
    path("actions/<int:action_id>/done/", actions.tick_action, name="tick_action"),
    path("actions/<int:action_id>/remove/", actions.remove_action, name="remove_action"),
]
