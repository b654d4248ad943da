"""Data-rights pages: a person's own (/accounts/data/), the admins' (/practice/data-requests/), and the
coach's export of one engagement's private notes. Downloads that are audited are POSTs: a GET never writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice
from coachhub.tenancy.forms import form_status, posted
from coachhub.tenancy.permissions import admin_required
from engagements.access import COACH, Data, access_engagement
from records import erasure as erasure_service
from records.access import access_export, access_export_by_link
from records import files, selectors, services, tasks
from records.forms import PersonChoiceForm
from records.models import DataExport, ErasureRequest


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _serve(request: HttpRequest, export: DataExport) -> HttpResponse:
    """The ZIP, decrypted on its way out (it is stored encrypted: records/files.py)."""
    if not export.file_path or not default_storage.exists(export.file_path):
        raise Http404
    stamp = export.ready_at.strftime("%Y-%m-%d") if export.ready_at else "export"
    try:
        return files.sealed_download(export.file_path, what="This export", content_type="application/zip",
                                     filename=f"my-data-{require_practice().slug}-{stamp}.zip")
    except files.Unreadable:  # its key was dropped before it was re-encrypted: it cannot be opened any more
        return render(request, "records/expired.html", {"export": export, "unreadable": True}, status=410)


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    """Ask for an export of your data here, or for erasure; see your exports."""
    if request.method == "POST":
        try:
            if request.POST.get("ask") == "erasure":
                erasure_service.request_erasure(person=request.user)
                messages.success(request, "Your request to be erased is with the practice's admins. They will be in touch.")
            else:
                services.request_export(person=request.user, requested_by=request.user, base_url=_base_url(request))
                messages.success(request, "Your data is being prepared. We will email you a link to download it (it works for 7 days).")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("records:my_data")
    return render(request, "records/my_data.html", {
        "exports": list(selectors.exports_of(request.viewer)[:10]),
        "pending_erasure": selectors.pending_erasure_of(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def download(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: for the person whose data it is, for 7 days. Anyone else's link answers 404."""
    return _download_page(request, access_export_by_link(request.viewer, token))


@login_required
@require_http_methods(["GET", "POST"])
def download_mine(request: HttpRequest, export_id: int) -> HttpResponse:
    return _download_page(request, access_export(request.viewer, export_id))


def _download_page(request: HttpRequest, export: DataExport) -> HttpResponse:
    if export.is_expired:
        return render(request, "records/expired.html", {"export": export}, status=410)
    if export.status != DataExport.Status.READY:
        return render(request, "records/download.html", {"export": export}, status=202)
    if request.method == "POST":
        services.record_download(export=export, actor=request.user)
        return _serve(request, export)
    return render(request, "records/download.html", {"export": export})


@admin_required
@require_http_methods(["GET", "POST"])
def data_requests(request: HttpRequest) -> HttpResponse:
    """The admins' list: erasure requests waiting, exports made, and the two actions for anyone."""
    people = selectors.people_with_records()
    form = PersonChoiceForm(posted(request), people=people)
    if request.method == "POST" and form.is_valid():
        person = next((p for p in people if p.pk == form.cleaned_data["person"]), None)
        if person is None:
            raise Http404
        if request.POST.get("action") == "erase":
            return redirect("records:erase", user_id=person.pk)
        try:
            services.request_export(person=person, requested_by=request.user, base_url=_base_url(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The export of {person.get_full_name()}'s data is being prepared; they are told by email.")
            return redirect("records:data_requests")
    return render(request, "records/data_requests.html", {
        "form": form, "erasures": list(selectors.erasure_requests()[:50]), "exports": list(selectors.recent_exports()),
    }, status=form_status(form))


@admin_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, user_id: int) -> HttpResponse:
    """The confirmation page: what erasure does, the legal basis for what is kept, or why it is refused."""
    person = selectors.person_of_practice(user_id)
    if person is None:
        raise Http404
    if request.method == "POST":
        try:
            erasure = erasure_service.erase_person(person=person, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("records:erase", user_id=user_id)
        messages.success(request, f"Erased. The practice's records now call this person “{erasure.label}”.")
        return redirect("records:data_requests")
    plan = erasure_service.plan_erasure(person)
    return render(request, "records/erase.html", {
        "person": person, "plan": plan, "legal_basis": erasure_service.LEGAL_BASIS,
    })


@admin_required
@require_POST
def decline(request: HttpRequest, request_id: int) -> HttpResponse:
    erasure = get_object_or_404(ErasureRequest, pk=request_id, status=ErasureRequest.Status.PENDING)
    erasure_service.decline_erasure(erasure=erasure, actor=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, "The erasure request was declined.")
    return redirect("records:data_requests")


@admin_required
@require_POST
def download_for_admin(request: HttpRequest, export_id: int) -> HttpResponse:
    """An admin answering a subject-access request downloads the export they ran (audited)."""
    export = access_export(request.viewer, export_id, as_admin=True)
    services.record_download(export=export, actor=request.user)
    return _serve(request, export)


@login_required
@require_http_methods(["GET", "POST"])
def private_notes_pdf(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The coach's private notes of one engagement as a PDF. Asking (POST) is audited and a worker renders
    it; the page waits, then serves the stored file. Only its coach gets past `access_engagement`."""
    engagement = access_engagement(request.viewer, engagement_id, to_see=Data.PRIVATE_NOTES, acting_as=COACH)
    path = selectors.private_notes_storage_path(engagement)
    asked = f"private-notes-asked:{path}"
    if request.method == "POST":
        audit.record(actor=request.user, action="records.private_notes_exported", subject=engagement,
                     engagement=engagement.pk)
        if cache.add(asked, True, timeout=600):
            tasks.render_private_notes_pdf.delay_on_commit(engagement_id=engagement.pk)
        return redirect("records:private_notes_pdf", engagement_id=engagement.pk)
    if cache.get(asked) and default_storage.exists(path):
        return files.sealed_download(path, what="The private notes PDF", content_type="application/pdf",
                                     filename=f"private-notes-engagement-{engagement.pk}.pdf")
    status = 202 if cache.get(asked) else 200
    return render(request, "records/private_notes.html", {"engagement": engagement, "preparing": status == 202}, status=status)
