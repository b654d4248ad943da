"""Measurement: points and ratings (per engagement), progress reports, and the dashboards."""

from django.urls import path

from measurement import dashboard_views, views
from measurement.stakeholders import views as stakeholder_views

urlpatterns: list = [
    # -- points, ratings and progress reports (measurement/views.py) --
    path("engagements/<int:engagement_id>/progress/", views.progress, name="measurement_progress"),
    path("engagements/<int:engagement_id>/progress/report.pdf", views.progress_pdf, name="progress_pdf"),
    path("engagements/<int:engagement_id>/progress/complete/", views.complete, name="complete_engagement"),
    path("engagements/<int:engagement_id>/progress/points/<int:point_id>/", views.point, name="measurement_point"),
    path("engagements/<int:engagement_id>/progress/points/<int:point_id>/close/", views.close, name="close_point"),
    path("engagements/<int:engagement_id>/progress/points/<int:point_id>/move/", views.move, name="move_point"),
    path("engagements/<int:engagement_id>/progress/points/<int:point_id>/comment/", views.comment, name="comment_on_point"),
    # -- stakeholder feedback (measurement/stakeholders/views.py): the list, and the nominee's link --
    path("engagements/<int:engagement_id>/stakeholders/", stakeholder_views.stakeholders, name="engagement_stakeholders"),
    path("feedback/<str:token>/", stakeholder_views.feedback, name="stakeholder_feedback"),
    path("feedback/<str:token>/unsubscribe/", stakeholder_views.unsubscribe, name="stakeholder_unsubscribe"),
    # -- dashboards and the CSV export (measurement/dashboard_views.py) --
    path("dashboard/sponsor/", dashboard_views.sponsor_dashboard, name="sponsor_dashboard"),
    path("dashboard/sponsor/export.csv", dashboard_views.sponsor_dashboard_csv, name="sponsor_dashboard_csv"),
    path("dashboard/sponsor/engagements/<int:engagement_id>/", dashboard_views.sponsor_engagement,
         name="sponsor_dashboard_engagement"),
    path("practice/dashboard/", dashboard_views.practice_dashboard, name="practice_dashboard"),
]
