"""Accepting an invitation, a person's own profile, and allauth's pages made to answer like ours."""

from __future__ import annotations

import functools

from allauth.account.views import LoginView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver
from django.views.decorators.http import require_http_methods

from coachhub.accounts.forms import AcceptInvitationForm, ProfileForm
from coachhub.accounts.models import User
from coachhub.accounts.services import (
    InvitationExpired,
    accept_invitation,
    invitation_for_token,
    save_profile,
)
from coachhub.tenancy.forms import form_status, posted


class PracticeLoginView(LoginView):
    """allauth's sign-in page; a refused attempt answers 4xx with its message: 429 when
    rate-limited, 403 when the account has no access here, 422 (as every refused form) otherwise."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        codes = {error.code for error in form.non_field_errors().as_data()}
        if "too_many_login_attempts" in codes:
            response.status_code = 429
        elif "no_access" in codes:
            response.status_code = 403
        else:
            response.status_code = 422
        return response


def refused_form_answers_422(view):
    """An allauth view whose page, shown again after a POST with its refused form, answers 422 like
    every page of ours (allauth answers 200). allauth's form views re-show a form through
    FormView.form_invalid, a TemplateResponse whose context holds the form."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method == "POST" and response.status_code == 200 and isinstance(response, TemplateResponse):
            form = (response.context_data or {}).get("form")
            if form is not None and form_status(form) == 422:
                response.status_code = 422
        return response

    return wrapped


def with_refused_forms_as_422(patterns: list) -> list:
    """`patterns` (allauth's URLs) with every view wrapped by refused_form_answers_422."""
    wrapped = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            wrapped.append(URLResolver(
                pattern.pattern, with_refused_forms_as_422(pattern.url_patterns), pattern.default_kwargs,
                pattern.app_name, pattern.namespace,
            ))
        else:
            wrapped.append(URLPattern(pattern.pattern, refused_form_answers_422(pattern.callback), pattern.default_args, pattern.name))
    return wrapped


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
        data = form.cleaned_data
        save_profile(person=request.user, full_name=data["full_name"], time_zone=data["time_zone"])
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form}, status=form_status(form))
