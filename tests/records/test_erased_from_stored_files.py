"""Erasure reaches stored files, in its transaction: the PDFs of the engagements that name the person are
deleted (the next download renders them with the label), other engagements' are kept, and every export of
the practice is withdrawn (an export is a copy of what its owner could see; they may ask for a new one)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from coachhub.tenancy.context import practice_context
from records.erasure import erase_person
from records.models import DataExport
from tests.records.conftest import coached

pytestmark = pytest.mark.django_db


def built_export(person) -> DataExport:
    from records.building import build_export

    token, digest = DataExport.new_token()
    export = DataExport.objects.create(person=person, requested_by=person, token_digest=digest)
    return build_export(export=export, token=token, base_url="http://acme.localhost/")


def test_the_pdfs_of_their_engagements_are_deleted_and_the_others_kept(acme):
    from measurement.pdf import store_progress_pdf

    state = coached(acme)
    with practice_context(acme.practice):
        theirs, others = store_progress_pdf(state.main), store_progress_pdf(state.other)
        erase_person(person=acme.coachee2, actor=acme.admin)
    assert not default_storage.exists(theirs) and default_storage.exists(others)


def test_everyone_elses_exports_are_withdrawn(acme):
    coached(acme)
    with practice_context(acme.practice):
        export = built_export(acme.coach)
        path = export.file_path
        assert default_storage.exists(path)
        erase_person(person=acme.coachee2, actor=acme.admin)
        export.refresh_from_db()
    assert (export.status, export.file_path) == (DataExport.Status.EXPIRED, "")
    assert not default_storage.exists(path)
