"""The decisions issue 23 moved into the policy, each for the real viewer: the party a person answers
and rates a contract version as (`party_role`), the open enquiry, the lists of one's own things, and
who downloads a data export (`records.access`). Another person's object answers 404, a deactivated
membership loses access, and a sponsor replaced by an amendment (or no longer sponsoring the
organisation) is no party to answer or rate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from coachhub.tenancy.models import ClientOrganisation, Membership, Role
from coachhub.tenancy.viewers import Viewer
from engagements.access import open_enquiry, party_role
from engagements.models import ContractVersion, Engagement
from engagements.selectors import coach_calls
from measurement.models import MeasurementPoint
from measurement.selectors import points_to_rate
from measurement.services.rating import rate_point
from records import contents
from records.access import access_export, access_export_by_link
from records.models import DataExport
from measurement.summaries.selectors import coachee_list, coaching_list
from sessions.selectors import coach_home
from tests.access.test_who_sees_what import _add_person, _amend_with_sponsor
from tests.conftest import client_at, make_user
from tests.contracts.conftest import accept, accepted_by_all, matched_engagement, sent
from tests.measurement.conftest import due_mid_point
from tests.sessions.conftest import active_engagement

pytestmark = pytest.mark.django_db


def _deactivate(user, role: Role) -> None:
    Membership.objects.filter(user=user, role=role).update(is_active=False, deactivated_at=timezone.now())


def _sponsor_elsewhere(user) -> None:
    """`user` still holds an active sponsor role, for another client organisation."""
    elsewhere = ClientOrganisation.objects.create(name="Elsewhere Ltd")
    Membership.objects.filter(user=user, role=Role.SPONSOR).update(client_organisation=elsewhere)


def _sponsored_by(cast, sponsor) -> tuple[Engagement, ContractVersion]:
    """An active engagement whose contract in force (returned) names `sponsor`."""
    engagement = matched_engagement(cast)
    Engagement.objects.filter(pk=engagement.pk).update(sponsor=sponsor)
    version = accepted_by_all(cast, engagement, changes={"sponsor": sponsor})
    return Engagement.objects.get(pk=engagement.pk), version


# --- The party of a contract version ------------------------------------------------------------


def test_each_party_answers_as_named_and_an_admin_as_none(acme, in_practice):
    engagement = active_engagement(acme)
    with in_practice(acme):
        version = ContractVersion.objects.get(engagement=engagement)
        roles = {user.email: party_role(Viewer.of(user), version)
                 for user in (engagement.coachee, engagement.coach, acme.sponsor, acme.admin, acme.coach2)}
    assert roles == {engagement.coachee.email: "coachee", engagement.coach.email: "coach",
                     acme.sponsor.email: "sponsor", acme.admin.email: None, acme.coach2.email: None}


def test_a_sponsor_replaced_by_an_amendment_is_a_party_to_their_version_only(acme, in_practice):
    old = _add_person(acme, "old-sponsor", Role.SPONSOR)
    with in_practice(acme):
        engagement, first = _sponsored_by(acme, old)
    second = _amend_with_sponsor(acme, engagement, acme.sponsor)
    with in_practice(acme):
        assert party_role(Viewer.of(old), first) == "sponsor"
        assert party_role(Viewer.of(old), second) is None
        assert party_role(Viewer.of(acme.sponsor), second) == "sponsor"


def test_a_sponsor_no_longer_sponsoring_the_organisation_cannot_answer(acme, in_practice):
    version = sent(acme, matched_engagement(acme, coachee=acme.coachee))
    with in_practice(acme):
        _sponsor_elsewhere(acme.sponsor)
    with pytest.raises(ContractVersion.DoesNotExist):
        accept(acme, version, acme.sponsor)
    assert client_at(acme, acme.sponsor).get(f"/contracts/{version.pk}/").status_code == 404


def test_a_deactivated_coachee_cannot_answer(acme, in_practice):
    version = sent(acme, matched_engagement(acme, coachee=acme.coachee))
    with in_practice(acme):
        _deactivate(acme.coachee, Role.COACHEE)
        assert party_role(Viewer.of(acme.coachee), version) is None
    with pytest.raises(ContractVersion.DoesNotExist):
        accept(acme, version, acme.coachee)


def test_a_sponsor_no_longer_sponsoring_the_organisation_is_not_asked_to_rate_nor_may(acme, in_practice):
    engagement = active_engagement(acme)
    point = due_mid_point(acme, engagement)
    with in_practice(acme):
        assert list(points_to_rate(Viewer.of(acme.sponsor), "sponsor")) == [point]
        _sponsor_elsewhere(acme.sponsor)
        assert not points_to_rate(Viewer.of(acme.sponsor), "sponsor").exists()
        point = MeasurementPoint.objects.get(pk=point.pk)
        objective = point.version.objectives.get()
        with pytest.raises(MeasurementPoint.DoesNotExist):
            rate_point(point=point, rater=acme.sponsor, answers={objective.pk: (6, "")})


def test_a_sponsor_replaced_by_an_amendment_is_not_asked_to_rate(acme, in_practice):
    old = _add_person(acme, "old-sponsor", Role.SPONSOR)
    with in_practice(acme):
        engagement, _ = _sponsored_by(acme, old)
    point = due_mid_point(acme, engagement)
    with in_practice(acme):
        assert list(points_to_rate(Viewer.of(old), "sponsor")) == [point]
    _amend_with_sponsor(acme, engagement, acme.sponsor)
    with in_practice(acme):
        assert not points_to_rate(Viewer.of(old), "sponsor").exists()
        point = MeasurementPoint.objects.select_related("version").get(pk=point.pk)
        objective = point.version.objectives.get()
        with pytest.raises(MeasurementPoint.DoesNotExist):
            rate_point(point=point, rater=old, answers={objective.pk: (6, "")})
        assert list(points_to_rate(Viewer.of(acme.sponsor), "sponsor")) == [point]


# --- The open enquiry and the lists of one's own ---------------------------------------------------


def test_the_open_enquiry_is_the_leaders_own_while_an_active_coachee(acme, in_practice):
    with in_practice(acme):
        enquiry = Engagement.objects.create(coachee=acme.coachee, objectives="Lead.")
        assert open_enquiry(Viewer.of(acme.coachee)) == enquiry
        assert open_enquiry(Viewer.of(acme.coachee2)) is None
        assert open_enquiry(Viewer.of(acme.admin)) is None
        _deactivate(acme.coachee, Role.COACHEE)
        assert open_enquiry(Viewer.of(acme.coachee)) is None


def test_the_coach_home_lists_the_engagements_coached_not_those_an_admin_sees(acme, in_practice):
    engagement = active_engagement(acme)
    with in_practice(acme):
        assert [s.engagement for s in coaching_list(Viewer.of(acme.coach))] == [engagement]
        Membership.objects.create(user=acme.coach2, role=Role.ADMIN)
        assert not coaching_list(Viewer.of(acme.coach2)).exists()
        _deactivate(acme.coach, Role.COACH)
        assert not coaching_list(Viewer.of(acme.coach)).exists()
        assert coach_calls(Viewer.of(acme.coach)) == ([], [])


def test_a_deactivated_coachee_lists_no_engagements(acme, in_practice):
    engagement = active_engagement(acme)
    with in_practice(acme):
        assert [s.engagement for s in coachee_list(Viewer.of(engagement.coachee))] == [engagement]
        assert not coachee_list(Viewer.of(acme.coachee)).exists()
        _deactivate(engagement.coachee, Role.COACHEE)
        assert not coachee_list(Viewer.of(engagement.coachee)).exists()


# --- Data exports --------------------------------------------------------------------------------


def _export(person, requested_by, *, ready: bool = True) -> tuple[DataExport, str]:
    token, digest = DataExport.new_token()
    now = timezone.now()
    export = DataExport.objects.create(
        person=person, requested_by=requested_by, token_digest=digest,
        status=DataExport.Status.READY if ready else DataExport.Status.QUEUED,
        ready_at=now if ready else None, expires_at=now + timedelta(days=7) if ready else None,
    )
    return export, token


def test_an_export_is_its_persons_by_id_and_by_link(acme, in_practice):
    with in_practice(acme):
        export, token = _export(acme.coachee, acme.coachee)
        assert access_export(Viewer.of(acme.coachee), export.pk) == export
        assert access_export_by_link(Viewer.of(acme.coachee), token) == export
        for other in (acme.coachee2, acme.admin, acme.coach):
            with pytest.raises(Http404):
                access_export(Viewer.of(other), export.pk)
            with pytest.raises(Http404):
                access_export_by_link(Viewer.of(other), token)
        with pytest.raises(Http404):
            access_export(Viewer.of(acme.coachee), export.pk + 1000)


def test_an_admin_downloads_only_the_subject_access_exports_admins_ran(acme, in_practice):
    with in_practice(acme):
        asked_by_admin, _ = _export(acme.coachee, acme.admin)
        asked_themselves, _ = _export(acme.coachee2, acme.coachee2)
        assert access_export(Viewer.of(acme.admin), asked_by_admin.pk, as_admin=True) == asked_by_admin
        with pytest.raises(Http404):
            access_export(Viewer.of(acme.admin), asked_themselves.pk, as_admin=True)
        with pytest.raises(Http404):
            access_export(Viewer.of(acme.coach), asked_by_admin.pk, as_admin=True)
        DataExport.objects.filter(pk=asked_by_admin.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        with pytest.raises(Http404):
            access_export(Viewer.of(acme.admin), asked_by_admin.pk, as_admin=True)


def test_an_admin_download_by_another_practice_answers_404(acme, globex, in_practice):
    with in_practice(acme):
        export, _ = _export(acme.coachee, acme.admin)
    response = client_at(globex, globex.admin).post(f"/practice/data-requests/exports/{export.pk}/download/")
    assert response.status_code == 404


# --- A person's export reads the policy's relations -------------------------------------------------


def test_an_ended_role_keeps_its_own_data_in_the_export_but_not_what_was_shared_with_it(acme, in_practice):
    """A subject-access export is the person's data: a former coachee keeps their engagement and a
    former sponsor the version they signed; what the coachee shared with a sponsor follows the pages."""
    engagement = active_engagement(acme)
    with in_practice(acme):
        data = contents.gather(acme.sponsor)
        assert [e.pk for e in data.sponsor_of] == [engagement.pk] and len(data.versions) == 1
        _deactivate(acme.sponsor, Role.SPONSOR)
        data = contents.gather(acme.sponsor)
        assert data.sponsor_of == [] and len(data.versions) == 1
        _deactivate(engagement.coachee, Role.COACHEE)
        coachee = contents.gather(engagement.coachee)
        assert [e.pk for e in coachee.coachee_of] == [engagement.pk] and len(coachee.versions) == 1
        coach = contents.gather(engagement.coach)
        assert [e.pk for e in coach.coach_of] == [engagement.pk]


def test_a_replaced_sponsors_export_keeps_their_version_and_no_engagement_after(acme, in_practice):
    old = _add_person(acme, "old-sponsor", Role.SPONSOR)
    with in_practice(acme):
        engagement, first = _sponsored_by(acme, old)
    _amend_with_sponsor(acme, engagement, acme.sponsor)
    with in_practice(acme):
        data = contents.gather(old)
        assert [v.pk for v in data.versions] == [first.pk]
        assert data.sponsor_of == []


def test_a_person_who_is_no_member_relates_to_nothing(acme, in_practice):
    with in_practice(acme):
        stranger = make_user("stranger@acme.test", "Stranger")
        data = contents.gather(stranger)
    assert (data.coachee_of, data.coach_of, data.sponsor_of, data.versions, data.roles) == ([], [], [], [], frozenset())
