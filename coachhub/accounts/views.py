"""Accepting an invitation, and a person's own profile."""

from __future__ import annotations

from allauth.account.views import LoginView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from coachhub.accounts.forms import AcceptInvitationForm, ProfileForm
from coachhub.accounts.models import User
from coachhub.accounts.services import (
    InvitationExpired,
    accept_invitation,
    invitation_for_token,
)
from coachhub.tenancy.forms import form_status, posted


class PracticeLoginView(LoginView):
    """allauth's sign-in page; a refused attempt answers 4xx with its message: 429 when
    rate-limited, 403 when the account has no access here, 400 for wrong credentials."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        codes = {error.code for error in form.non_field_errors().as_data()}
        if "too_many_login_attempts" in codes:
            response.status_code = 429
        elif "no_access" in codes:
            response.status_code = 403
        else:
            response.status_code = 400
        return response


@require_http_methods(["GET", "POST"])
def accept_invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_for_token(token)
    except InvitationExpired:
        return render(request, "accounts/invitation_expired.html", status=410)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    existing = User.objects.filter(email=invitation.email).first()
    if existing is not None and not existing.has_usable_password():
        existing = None  # an account without a password chooses one here
    form = AcceptInvitationForm(
        posted(request), existing_user=existing, initial_name=invitation.full_name
    )
    if request.method == "POST" and form.is_valid():
        try:
            accept_invitation(
                request=request, invitation=invitation,
                full_name=form.cleaned_data.get("full_name", ""), password=form.cleaned_data["password1"],
            )
        except InvitationExpired:
            return render(request, "accounts/invitation_expired.html", status=410)
        messages.success(request, f"Welcome to {request.practice.name}.")
        return redirect("home")
    return render(
        request, "accounts/accept_invitation.html",
        {"invitation": invitation, "form": form, "existing": existing}, status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(posted(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form}, status=form_status(form))
