"""Who may download a data export, decided once (issue 23): the person whose data it is (by its id or
the link emailed to them), or a practice admin who ran it to answer a subject-access request. Like
engagements/access.py, each function loads an export for a viewer or raises Http404, alike for
missing and not yours."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.http import Http404

from coachhub.tenancy.models import token_digest
from coachhub.tenancy.viewers import Viewer
from records.models import DataExport


def visible_exports(viewer: Viewer) -> QuerySet[DataExport]:
    """The exports of `viewer`'s own data, whoever asked for them (they or an admin)."""
    return DataExport.objects.select_related("person").filter(person=viewer.user)


def answered_requests(viewer: Viewer) -> QuerySet[DataExport]:
    """For a practice admin: the ready exports an admin ran for a subject-access request (not one a
    person asked for themselves: that copy is theirs alone). None for anyone else."""
    if not viewer.is_admin:
        return DataExport.objects.none()
    return DataExport.objects.select_related("person").filter(
        status=DataExport.Status.READY, requested_by__isnull=False,
    ).exclude(requested_by=F("person"))


def access_export(viewer: Viewer, export_id: int, *, as_admin: bool = False) -> DataExport:
    """An export of `viewer`'s own data (in any state: the page says whether it is ready); with
    `as_admin`, a subject-access export an admin ran, ready and not expired. Http404 otherwise."""
    exports = answered_requests(viewer) if as_admin else visible_exports(viewer)
    export = exports.filter(pk=export_id).first()
    if export is None or (as_admin and export.is_expired):
        raise Http404
    return export


def access_export_by_link(viewer: Viewer, token: str) -> DataExport:
    """The export behind an emailed link, for the person whose data it is only (a forwarded link
    opens nothing for anyone else). Http404 otherwise."""
    export = visible_exports(viewer).filter(token_digest=token_digest(token)).first()
    if export is None:
        raise Http404
    return export
