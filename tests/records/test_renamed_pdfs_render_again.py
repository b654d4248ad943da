"""A person renames themselves on their profile: the stored PDFs that print their name are never served
with the old one again (their stored names hash the names they show), and a worker deletes the old files
after the commit; the next download renders the new name."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from coachhub.accounts.events import PersonRenamed
from coachhub.tenancy import events
from coachhub.tenancy.context import practice_context
from engagements.contract_selectors import pdf_storage_path
from engagements.models import ContractVersion, Engagement
from measurement.selectors import progress_storage_path
from tests.conftest import client_at
from tests.records.conftest import coached
from tests.records.test_erased_nowhere import readable

pytestmark = pytest.mark.django_db

NEW_NAME = "Sophie Renamed-Lin"


def stored(engagement) -> tuple[str, str]:
    from engagements.pdf import store_contract_pdf
    from measurement.pdf import store_progress_pdf

    version = ContractVersion.objects.get(engagement=engagement, status=ContractVersion.Status.ACCEPTED)
    return store_progress_pdf(engagement), store_contract_pdf(version)


def rename(cast, person, committed) -> None:
    with committed():
        response = client_at(cast, person).post("/accounts/profile/", {"full_name": NEW_NAME, "time_zone": ""})
    assert response.status_code == 302


def test_a_rename_gives_the_stored_pdfs_new_names(acme, committed):
    state = coached(acme)
    with practice_context(acme.practice):
        old_progress, old_contract = stored(state.main)
    rename(acme, acme.coachee2, committed)
    with practice_context(acme.practice):
        version = ContractVersion.objects.get(engagement=state.main, status=ContractVersion.Status.ACCEPTED)
        engagement = Engagement.objects.select_related("coachee", "coach").get(pk=state.main.pk)
        assert progress_storage_path(engagement) != old_progress
        assert pdf_storage_path(version) != old_contract


def test_the_old_files_are_deleted_after_the_rename_and_the_download_shows_the_new_name(acme, committed):
    state = coached(acme)
    with practice_context(acme.practice):
        old_progress, old_contract = stored(state.main)
        untouched, _ = stored(state.other)
    rename(acme, acme.coachee2, committed)
    assert not default_storage.exists(old_progress) and not default_storage.exists(old_contract)
    assert default_storage.exists(untouched)  # another coachee's report is not theirs
    client = client_at(acme, acme.sponsor)
    url = f"/engagements/{state.main.pk}/progress/report.pdf"
    with committed():
        assert client.get(url).status_code == 202
    response = client.get(url)
    assert response.status_code == 200
    text = readable(b"".join(response.streaming_content))
    assert NEW_NAME in text and "Coachee2 Acme" not in text


def test_saving_the_profile_without_a_new_name_announces_nothing(acme, committed):
    heard: list[PersonRenamed] = []
    events._subscribers.setdefault(PersonRenamed, []).append(heard.append)
    try:
        with committed():
            client_at(acme, acme.coachee2).post(
                "/accounts/profile/", {"full_name": acme.coachee2.full_name, "time_zone": "Europe/Paris"},
            )
    finally:
        events._subscribers[PersonRenamed].remove(heard.append)
    assert heard == []
