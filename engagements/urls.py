"""Journey pages: the coach directory, booking, managing and following up chemistry calls."""

from django.urls import path

from engagements import contract_views, views

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
    # Contracting (issue 4)
    path("practice/contract-template/", contract_views.edit_template, name="contract_template"),
    path("contracts/", contract_views.contracts, name="contracts"),
    path("contracts/<int:version_id>/", contract_views.version_page, name="contract_version"),
    path("contracts/<int:version_id>/edit/", contract_views.edit_draft, name="edit_contract"),
    path("contracts/<int:version_id>/answer/", contract_views.answer, name="answer_contract"),
    path("contracts/<int:version_id>/pdf/", contract_views.download_pdf, name="contract_pdf"),
    path("contracts/<int:version_id>/verify/", contract_views.verify, name="verify_contract"),
    path("engagements/<int:engagement_id>/contract/", contract_views.engagement_contract, name="engagement_contract"),
    path("engagements/<int:engagement_id>/contract/draft/", contract_views.start_draft, name="draft_contract"),
    path("engagements/<int:engagement_id>/contract/amend/", contract_views.amend, name="amend_contract"),
    path("engagements/<int:engagement_id>/contracting-session/", contract_views.book_session, name="contracting_session"),
]
