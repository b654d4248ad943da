"""URLs on the bare domain: CoachHub's own landing page and Django admin for platform staff."""

from allauth import urls as allauth_urls
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import TemplateView

from coachhub.accounts.views import PracticeLoginView, with_refused_forms_as_422
from demo.calendars import FEED_PATH, board_meetings

# Staff sign in through allauth (rate limits, 2FA), not Django admin's own form.
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "CoachHub platform"
admin.site.site_title = "CoachHub platform"

urlpatterns = [
    path("", TemplateView.as_view(template_name="platform/landing.html"), name="home"),
    path("admin/", admin.site.urls),
    path("accounts/login/", PracticeLoginView.as_view(), name="account_login"),
    path("accounts/", include(with_refused_forms_as_422(allauth_urls.urlpatterns))),
]
# The demo's own calendar feed (demo/calendars.py; coach@ of acme subscribes): DEBUG only, else 404.
urlpatterns.append(path(FEED_PATH.lstrip("/"), board_meetings, name="demo_board_meetings"))
