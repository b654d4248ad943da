"""Contracting pages: the practice's template, an engagement's contract and its versions, the
contracting session, drafting, each party's review (accept or ask for changes), PDFs and the hash
check. Thin: access through engagements/access.py (404 alike for missing and not yours), input
through contract_forms, writes through contracting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from coachhub.accounts.middleware import client_address
from coachhub.roster.models import CoachProfile
from coachhub.tenancy.documents import stored_pdf_or_preparing
from coachhub.tenancy.forms import add_service_errors, form_status, posted
from coachhub.tenancy.permissions import admin_required
from engagements import contract_selectors as selectors
from engagements.contracting import amendments, answers, drafts, sessions
from engagements.access import (
    COACH,
    PARTIES,
    Data,
    access_contract_version,
    access_engagement,
    relations_to,
    version_relations,
)
from engagements.contract_forms import (
    AnswerForm,
    ContractDraftForm,
    ContractingSessionForm,
    ContractTemplateForm,
    ObjectiveFormSet,
    add_draft_errors,
    objective_initial,
)
from engagements.models import (
    ContractingSession,
    ContractVersion,
)
from engagements.services import BookingRefused
from engagements.tasks import render_contract_pdf
from engagements.views import slot_week


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _refusal_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- The practice's template ---------------------------------------------------------------------------


@admin_required
@require_http_methods(["GET", "POST"])
def edit_template(request: HttpRequest) -> HttpResponse:
    form = ContractTemplateForm(posted(request), instance=selectors.contract_template())
    if request.method == "POST" and form.is_valid():
        try:
            drafts.update_contract_template(actor=request.user, changes=form.changes())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Contract template saved. Contracts drafted from now on start from it.")
            return redirect("contract_template")
    return render(request, "contracts/template.html", {"form": form}, status=form_status(form))


# --- Lists and the engagement's contract ----------------------------------------------------------------


@login_required
def contracts(request: HttpRequest) -> HttpResponse:
    return render(request, "contracts/list.html", {
        "engagements": selectors.engagements_with_contracts(request.viewer),
        "awaiting": selectors.awaiting_acceptance_by(request.viewer),
    })


@login_required
def engagement_contract(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """An engagement's contract: its versions (history), the contracting session, and the
    coach's next step."""
    engagement = access_engagement(request.viewer, engagement_id, to_see=Data.CONTRACT)
    versions = selectors.versions_of(engagement, request.viewer)
    is_coach = COACH in relations_to(request.viewer, engagement)
    return render(request, "contracts/engagement.html", {
        "engagement": engagement, "versions": versions, "is_coach": is_coach,
        "session": selectors.contracting_session_of(engagement),
        "latest": selectors.current_version(versions),
    })


@login_required
@require_POST
def start_draft(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = access_engagement(request.viewer, engagement_id, to_see=Data.CONTRACT, acting_as=COACH)
    try:
        version = drafts.draft_contract(engagement=engagement, actor=request.user)
    except ValidationError as error:
        _refusal_messages(request, error)
        return redirect("engagement_contract", engagement.pk)
    return redirect("edit_contract", version.pk)


@login_required
@require_POST
def amend(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = access_engagement(request.viewer, engagement_id, to_see=Data.CONTRACT, acting_as=COACH)
    try:
        version = amendments.amend_contract(engagement=engagement, actor=request.user)
    except ValidationError as error:
        _refusal_messages(request, error)
        return redirect("engagement_contract", engagement.pk)
    messages.success(request, f"Version {version.number} is a new draft: change what is needed, then send it to every party again.")
    return redirect("edit_contract", version.pk)


# --- The contracting session --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def book_session(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = access_engagement(request.viewer, engagement_id, to_see=Data.CONTRACT, acting_as=COACH)
    profile = CoachProfile.objects.filter(user=request.user).first()
    if profile is None:
        messages.error(request, "Set up your coach profile and weekly hours first: sessions are booked in your free times.")
        return redirect("engagement_contract", engagement.pk)
    form = ContractingSessionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            sessions.book_contracting_session(
                engagement=engagement, coach=request.user, starts_at=form.cleaned_data["start"], base_url=_base_url(request)
            )
        except BookingRefused as error:
            form.add_error("start" if error.field == "start" else None, error.message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The contracting session is booked. You and the coachee have a calendar invitation.")
            return redirect("engagement_contract", engagement.pk)
    return render(request, "contracts/session.html", {
        "engagement": engagement, "form": form, "profile": profile,
        "session": selectors.contracting_session_of(engagement), "minutes": ContractingSession.MINUTES,
        **slot_week(profile, request, minutes=ContractingSession.MINUTES),
    }, status=form_status(form))


# --- Drafting --------------------------------------------------------------------------------------------------


def _render_edit(request: HttpRequest, version: ContractVersion, form, formset) -> HttpResponse:
    return render(
        request, "contracts/edit.html", {"version": version, "form": form, "formset": formset},
        status=form_status(form, formset),
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_draft(request: HttpRequest, version_id: int) -> HttpResponse:
    """The coach's draft: package, sponsor and organisation, sections, objectives. "Save and
    send" saves first, so a refusal to send never loses what was typed."""
    version = access_contract_version(request.viewer, version_id, acting_as=COACH)
    if not version.is_draft:
        messages.error(
            request, f"Version {version.number} is {version.get_status_display().lower()} and can no longer be edited. "
            "To change it, amend the contract: that makes a new version for everyone to accept."
        )
        return redirect("contract_version", version.pk)
    form = ContractDraftForm(posted(request), instance=version)
    formset = ObjectiveFormSet(posted(request), initial=objective_initial(version), prefix="objectives")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = drafts.update_contract_draft(
                version=version, actor=request.user, changes=form.changes(), objectives=formset.objectives()
            )
        except ValidationError as error:
            add_draft_errors(form, formset, error)
            return _render_edit(request, version, form, formset)
        if request.POST.get("action") != "send":
            messages.success(request, "Draft saved.")
            return redirect("contract_version" if request.POST.get("action") == "preview" else "edit_contract", saved.pk)
        try:
            drafts.send_contract(version=saved, actor=request.user, base_url=_base_url(request))
        except ValidationError as error:
            messages.error(request, "Your draft is saved, but it cannot be sent yet:")
            add_draft_errors(form, formset, error)
            return _render_edit(request, saved, form, formset)
        messages.success(request, f"Version {saved.number} is sent. Each party has been asked to accept it.")
        return redirect("contract_version", saved.pk)
    return _render_edit(request, version, form, formset)


# --- A version: read, review, answer --------------------------------------------------------------------------


def _version_context(request: HttpRequest, version: ContractVersion, answer_form: AnswerForm | None = None) -> dict:
    state = selectors.version_state(version, request.viewer)
    return {
        "version": version, "snapshot": selectors.party_snapshot(version), **vars(state),
        "is_coach": COACH in version_relations(request.viewer, version),
        "answer_form": answer_form or AnswerForm(initial={"text_sha256": version.text_sha256}),
    }


@login_required
def version_page(request: HttpRequest, version_id: int) -> HttpResponse:
    version = access_contract_version(request.viewer, version_id)
    return render(request, "contracts/version.html", _version_context(request, version))


@login_required
@require_POST
def answer(request: HttpRequest, version_id: int) -> HttpResponse:
    """A party accepts the text they were shown, or asks for changes with a comment."""
    version = access_contract_version(request.viewer, version_id, acting_as=PARTIES)
    form = AnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        common = {
            "version": version, "party": request.user, "text_sha256": data["text_sha256"],
            "ip_address": client_address(request), "base_url": _base_url(request),
        }
        try:
            if data["action"] == AnswerForm.ACCEPT:
                result = answers.accept_contract(**common)
            else:
                result = answers.request_contract_changes(comment=data["comment"], **common)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                _refusal_messages(request, error)
                return redirect("contract_version", version.pk)
        else:
            if not result.created:
                messages.info(
                    request, f"You already accepted version {version.number} on "
                    f"{timezone.localtime(result.acceptance.decided_at):%d %B %Y at %H:%M}; nothing changed."
                )
            elif data["action"] == AnswerForm.CHANGES:
                messages.success(request, "Your request for changes is recorded; the coach has been told.")
            elif result.fully_accepted:
                messages.success(request, "You accepted the contract. Every party has now accepted: the coaching is under way.")
            else:
                messages.success(request, "You accepted the contract. We'll let you know when every party has.")
            return redirect("contract_version", version.pk)
    return render(request, "contracts/version.html", _version_context(request, version, form), status=form_status(form))


@login_required
def verify(request: HttpRequest, version_id: int) -> HttpResponse:
    """Re-render the version's text and compare it with the hash each party accepted."""
    version = access_contract_version(request.viewer, version_id)
    return render(request, "contracts/verify.html", {"version": version, "checks": selectors.verify_version(version)})


# --- PDFs ------------------------------------------------------------------------------------------------------


@login_required
def download_pdf(request: HttpRequest, version_id: int) -> HttpResponse:
    """The stored PDF of the version as it stands. When it is not there yet (just sent or
    answered, or never asked for), a worker renders it: the page says so and refreshes, with
    202, rather than keep this web worker busy rendering."""
    version = access_contract_version(request.viewer, version_id)
    if version.purged_at is not None:  # nothing left to print: the page says what was purged and when
        return render(request, "contracts/purged.html", {"version": version}, status=410)
    return stored_pdf_or_preparing(
        request, path=selectors.pdf_storage_path(version),
        filename=f"coaching-contract-{version.engagement_id}-v{version.number}.pdf",
        render_later=lambda: render_contract_pdf.delay_on_commit(version_id=version.pk),
        preparing="contracts/preparing.html", context={"version": version},
    )
