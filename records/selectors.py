"""Reads for the data-rights pages: querysets and small lookups, no side effects."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet

from coachhub.tenancy.context import require_practice
from coachhub.tenancy.models import Membership
from coachhub.tenancy.viewers import Viewer
from engagements.models import Engagement
from records.access import visible_exports
from records.models import DataExport, ErasureRequest
from sessions.models import CoachingSession


def exports_of(viewer: Viewer) -> QuerySet[DataExport]:
    """`viewer`'s own exports (records.access), newest first."""
    return visible_exports(viewer).order_by("-created_at")


def pending_erasure_of(person) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(person=person, status=ErasureRequest.Status.PENDING).first()


def erasure_requests() -> QuerySet[ErasureRequest]:
    """Waiting first, then the handled ones, newest first."""
    return ErasureRequest.objects.select_related("person", "handled_by").order_by("-status", "-created_at")


def recent_exports(limit: int = 30) -> QuerySet[DataExport]:
    return DataExport.objects.select_related("person", "requested_by").order_by("-created_at")[:limit]


def people_with_records() -> list:
    """Every member and former member (one entry per person), by name, for the admin's choice."""
    seen, people = set(), []
    for membership in Membership.objects.select_related("user").order_by("user__full_name", "user__email"):
        if membership.user_id not in seen:
            seen.add(membership.user_id)
            people.append(membership.user)
    return people


def person_of_practice(user_id: int):
    """A member or former member of this practice, or None (so the page answers 404)."""
    membership = Membership.objects.select_related("user").filter(user_id=user_id).first()
    return membership.user if membership else None


def private_notes_sessions(engagement: Engagement) -> QuerySet[CoachingSession]:
    return CoachingSession.objects.filter(engagement=engagement).select_related("booking").order_by("number")


def private_notes_storage_path(engagement: Engagement) -> str:
    """`practices/<practice>/private-notes/<engagement>/notes-<state>.pdf`; <state> changes with every
    saved log and with the names the PDF shows, so a stored file is never stale."""
    state = "|".join(
        f"{pk}:{version}:{saved}" for pk, version, saved in
        private_notes_sessions(engagement).values_list("pk", "version", "updated_at")
    )
    names = f"{engagement.coachee.get_full_name()}|{engagement.coach.get_full_name()}"
    digest = hashlib.sha256(f"{engagement.coach_id}|{names}|{state}".encode()).hexdigest()[:12]
    return f"practices/{require_practice().pk}/private-notes/{engagement.pk}/notes-{digest}.pdf"
