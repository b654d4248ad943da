"""Journey pages: the coach directory, booking, managing and following up chemistry calls."""

from django.urls import path

from engagements import views

urlpatterns = [
    path("coaches/", views.directory, name="directory"),
    path("coaches/<int:profile_id>/", views.coach_profile, name="coach_profile"),
    path("chemistry-calls/booked/", views.chemistry_call_booked, name="chemistry_call_booked"),
    path("chemistry-calls/moved/", views.chemistry_call_moved, name="chemistry_call_moved"),
    path("chemistry-calls/manage/<str:token>/", views.manage_chemistry_call, name="manage_chemistry_call"),
    path("chemistry-calls/<int:call_id>/", views.my_chemistry_call, name="my_chemistry_call"),
    path("chemistry-calls/<int:call_id>/outcome/", views.record_outcome, name="record_outcome"),
    path("my/choose-coach/", views.choose_coach, name="choose_coach"),
    path("practice/chemistry-calls/", views.practice_chemistry_calls, name="practice_chemistry_calls"),
    path("practice/chemistry-calls/<int:call_id>/reassign/", views.reassign_chemistry_call, name="reassign_chemistry_call"),
]
