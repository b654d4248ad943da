from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("accounts/data/", views.my_data, name="my_data"),
    path("accounts/data/exports/<int:export_id>/", views.download_mine, name="download_mine"),
    path("accounts/data/download/<str:token>/", views.download, name="download"),
    path("practice/data-requests/", views.data_requests, name="data_requests"),
    path("practice/data-requests/people/<int:user_id>/erase/", views.erase, name="erase"),
    path("practice/data-requests/<int:request_id>/decline/", views.decline, name="decline"),
    path("practice/data-requests/exports/<int:export_id>/download/", views.download_for_admin, name="admin_download"),
    path("engagements/<int:engagement_id>/private-notes/", views.private_notes_pdf, name="private_notes_pdf"),
]
