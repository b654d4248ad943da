"""Exports of a person's data: asked for (by the person or an admin), built by a worker, downloaded
by link for 7 days, then deleted by the daily job. Erasure is in records/erasure.py."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coachhub.tenancy import audit
from coachhub.tenancy.models import Membership
from records import tasks
from records.models import DataExport

ALREADY_PREPARING = "An export of this person's data is already being prepared: one export is made, and an email says when it is ready."
NOT_A_MEMBER = "Nobody with that email address has, or had, a role in this practice."


def person_by_email(email: str):
    """The member or former member of this practice with `email`; ValidationError otherwise."""
    membership = Membership.objects.select_related("user").filter(user__email=email.strip().lower()).first()
    if membership is None:
        raise ValidationError(NOT_A_MEMBER, code="not_a_member")
    return membership.user


@transaction.atomic
def request_export(*, person, requested_by, base_url: str) -> DataExport:
    """Queue one export of `person`'s data; refused while one is being prepared (two clicks, two tabs).

    An admin's export is audited and the person is told by email."""
    if not Membership.objects.filter(user=person).exists():
        raise ValidationError(NOT_A_MEMBER, code="not_a_member")
    token, digest = DataExport.new_token()
    try:
        with transaction.atomic():
            export = DataExport.objects.create(person=person, requested_by=requested_by, token_digest=digest)
    except IntegrityError:
        raise ValidationError(ALREADY_PREPARING, code="already_preparing") from None
    by_admin = requested_by is not None and requested_by.pk != person.pk
    audit.record(
        actor=requested_by, action="records.export_requested", subject="Data export of {person}", people={"person": person},
        export=export.pk, person=person.pk, by_admin=by_admin,
    )
    tasks.build_export.delay_on_commit(export_id=export.pk, token=token, base_url=base_url)
    return export


@transaction.atomic
def record_download(*, export: DataExport, actor) -> None:
    audit.record(actor=actor, action="records.export_downloaded", subject=f"Data export {export.pk}", export=export.pk)
