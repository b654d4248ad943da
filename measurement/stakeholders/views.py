"""Stakeholder pages: the engagement's list of stakeholders (coachee names them, coach suggests,
admins and sponsors see counts), and the nominee's one-page form behind their personal link. Thin:
access through measurement.access, writes through the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from coachhub.tenancy.forms import add_service_errors, form_status
from engagements.access import COACH, COACHEE, relations_to
from measurement.access import access_stakeholders
from measurement.models import Nominee
from measurement.stakeholders import answers, links, nominations, selectors
from measurement.stakeholders.forms import NomineeForm, SuggestionForm


@login_required
@require_http_methods(["GET", "POST"])
def stakeholders(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement, with_names = access_stakeholders(request.viewer, engagement_id)
    page = selectors.stakeholder_page(engagement, with_names=with_names)
    relations = relations_to(request.viewer, engagement)
    is_coachee, is_coach = with_names and COACHEE in relations, with_names and COACH in relations
    form = NomineeForm(groups=page.groups)
    suggestion_form = SuggestionForm()
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "nominate":
            engagement, _ = access_stakeholders(request.viewer, engagement_id, acting_as=COACHEE)
            form = NomineeForm(request.POST, groups=page.groups)
            if form.is_valid():
                nominations.nominate_stakeholder(engagement=engagement, actor=request.user, **form.cleaned_data)
                messages.success(
                    request, f"{form.cleaned_data['name']} is named in {form.cleaned_data['group']}; "
                    "they are asked for feedback once your coach approves them.",
                )
                return redirect("engagement_stakeholders", engagement.pk)
        elif action == "remove":
            engagement, _ = access_stakeholders(request.viewer, engagement_id, acting_as=COACHEE)
            nominee = Nominee.objects.filter(engagement=engagement, pk=_int(request.POST.get("nominee")), purged_at__isnull=True).first()
            if nominee is None:
                raise Http404
            nominations.remove_nominee(nominee=nominee, actor=request.user)
            messages.success(request, f"{nominee.name} is no longer named.")
            return redirect("engagement_stakeholders", engagement.pk)
        elif action in ("approve", "decline"):
            engagement, _ = access_stakeholders(request.viewer, engagement_id, acting_as=COACH)
            nominee = Nominee.objects.filter(engagement=engagement, pk=_int(request.POST.get("nominee")), purged_at__isnull=True).first()
            if nominee is None:
                raise Http404
            if action == "approve":
                nominations.approve_nominee(nominee=nominee, actor=request.user)
                messages.success(request, f"{nominee.name} is approved and will be asked for feedback.")
            else:
                nominations.decline_nominee(nominee=nominee, actor=request.user)
                messages.success(request, f"{nominee.name} is declined; the coachee sees it on this page.")
            return redirect("engagement_stakeholders", engagement.pk)
        elif action == "suggest":
            engagement, _ = access_stakeholders(request.viewer, engagement_id, acting_as=COACH)
            suggestion_form = SuggestionForm(request.POST)
            if suggestion_form.is_valid():
                nominations.suggest_nominations(engagement=engagement, actor=request.user, text=suggestion_form.cleaned_data["text"])
                messages.success(request, "Your suggestion is shown to the coachee.")
                return redirect("engagement_stakeholders", engagement.pk)
        elif action is not None:
            raise Http404
    except ValidationError as error:
        target = suggestion_form if action == "suggest" else form
        if action in ("remove", "approve", "decline"):
            messages.error(request, " ".join(error.messages))
            return redirect("engagement_stakeholders", engagement.pk)
        add_service_errors(target, error)
    return render(request, "measurement/stakeholders/engagement.html", {
        "engagement": engagement, "page": page, "with_names": with_names, "is_coachee": is_coachee,
        "is_coach": is_coach, "form": form, "suggestion_form": suggestion_form,
    }, status=form_status(form, suggestion_form))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _refused(request: HttpRequest, refusal: links.LinkRefused) -> HttpResponse:
    return render(request, "measurement/stakeholders/refused.html", {"message": refusal.message}, status=refusal.status)


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The nominee's form: no account, nothing but the objectives, their answer, one comment."""
    if request.practice is None:
        raise Http404
    try:
        invitation = links.open_answer_link(token)
        objectives = answers.rated_objectives(invitation.point)
        saved = answers.answer_of(invitation)
        values = {o.pk: "" for o in objectives}
        comment = saved.comment if saved else ""
        if saved:
            values.update({s.objective_id: ("cant_say" if s.score is None else str(s.score)) for s in saved.scores.all()})
        errors: dict[str, list[str]] = {}
        if request.method == "POST":
            values = {o.pk: request.POST.get(f"score_{o.pk}", "") for o in objectives}
            comment = request.POST.get("comment", "")
            try:
                answers.answer_as_nominee(invitation=invitation, scores=values, comment=comment)
                return render(request, "measurement/stakeholders/thanks.html", {
                    "token": token, "coachee": invitation.nominee.engagement.coachee,
                })
            except ValidationError as error:
                errors = error.message_dict
    except links.LinkRefused as refusal:
        return _refused(request, refusal)
    rows = [
        {"objective": o, "name": f"score_{o.pk}", "value": values.get(o.pk, ""), "errors": errors.get(f"score_{o.pk}", [])}
        for o in objectives
    ]
    return render(request, "measurement/stakeholders/feedback.html", {
        "rows": rows, "comment": comment, "comment_errors": errors.get("comment", []), "has_errors": bool(errors),
        "coachee": invitation.nominee.engagement.coachee, "saved": saved is not None, "scale": range(1, 11),
        "point": invitation.point,
    }, status=422 if errors else 200)


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs with no cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.practice is None:
        raise Http404
    try:
        nominee = links.open_unsubscribe_link(token)
    except links.LinkRefused as refusal:
        return _refused(request, refusal)
    if request.method == "POST":
        nominations.unsubscribe_nominee(nominee=nominee)
        return render(request, "measurement/stakeholders/refused.html", {
            "message": "You will get no more emails about this feedback. Thank you.",
        })
    return render(request, "measurement/stakeholders/unsubscribe.html", {})
