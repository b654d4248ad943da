"""URLs on a practice's host (<slug>.<BASE_DOMAIN> or a custom domain)."""

from allauth import urls as allauth_urls
from django.conf import settings
from django.urls import include, path

from coachhub.accounts import views as account_views
from coachhub.tenancy import branding
from coachhub.tenancy import views as practice_views
from home import views as home_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("branding/logo", practice_views.logo, name="practice_logo"),
    path("branding/colours.css", branding.brand_colours, name="practice_colours"),
    path("practice/settings/", practice_views.practice_settings, name="practice_settings"),
    path("practice/people/", practice_views.people, name="people"),
    path("practice/people/invite/", practice_views.invite, name="invite"),
    path("practice/people/<int:user_id>/", practice_views.person, name="person"),
    path("practice/audit/", practice_views.audit_trail, name="audit_trail"),
    path("practice/audit/export.csv", practice_views.audit_trail_csv, name="audit_trail_csv"),
    path("practice/organisations/", practice_views.organisations, name="organisations"),
    path("practice/organisations/<int:organisation_id>/", practice_views.organisation, name="organisation"),
    path("invitations/<str:token>/", account_views.accept_invitation_view, name="accept_invitation"),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/login/", account_views.PracticeLoginView.as_view(), name="account_login"),
    # Before allauth's: /accounts/data/ is a practice page (records/urls.py).
    path("", include("records.urls")),
    path("accounts/", include(account_views.with_refused_forms_as_422(allauth_urls.urlpatterns))),
    path("roster/", include("coachhub.roster.urls")),
    path("reminders/", include("reminders.urls")),
    path("api/v1/", include("engagements.api_urls")),
    path("", include("engagements.urls")),
    path("", include("sessions.urls")),
    path("", include("measurement.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
