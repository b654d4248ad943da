"""The coachee's attacks of issue 22, played again: stuffing a group with plus-addressed variants of
one mailbox (refused), or with real addresses the coachee controls (never invited until the coach
approves them), and differencing the aggregates shown (nothing hidden can be worked out)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coachhub.tenancy.context import practice_context
from measurement import dashboards
from measurement.models import Nominee
from measurement.services.closing import close_point
from measurement.stakeholders import nominations
from measurement.stakeholders.results import OTHER, assess_groups
from reminders import stakeholders
from tests.conftest import client_at
from tests.measurement.conftest import after_grace
from tests.stakeholders.conftest import answer, due_point, name, pages_showing, report_text, signed_in_reader

pytestmark = pytest.mark.django_db


def nominate(cast, engagement, email: str, group: str = "Line manager"):
    with practice_context(cast.practice):
        return nominations.nominate_stakeholder(
            engagement=engagement, actor=engagement.coachee, group=group, name="Line Manager", email=email,
        )


@pytest.mark.parametrize("variant", ["{local}+lm1@{domain}", "{dotted}@{domain}", "{upper}+x@{domain}"])
def test_the_coachee_s_own_mailbox_in_disguise_is_refused(acme, engagement, variant):
    local, domain = engagement.coachee.email.split("@")
    email = variant.format(local=local, domain=domain, dotted=".".join(local), upper=local.upper())
    with pytest.raises(ValidationError) as error:
        nominate(acme, engagement, email)
    assert "reaches you, the coachee" in str(error.value)


@pytest.mark.parametrize("who", ["coach", "sponsor"])
def test_the_coach_s_and_sponsor_s_mailboxes_in_disguise_are_refused(acme, engagement, who):
    local, domain = getattr(acme, who).email.split("@")
    with pytest.raises(ValidationError):
        nominate(acme, engagement, f"{local.upper()}+stake@{domain}")


def test_plus_addressed_variants_of_one_mailbox_fill_no_group(acme, engagement):
    nominate(acme, engagement, "fake.manager+1@mail.example")
    for variant in ("fake.manager+2@mail.example", "FakeManager@Mail.example", "f.a.k.e.manager@mail.example"):
        with pytest.raises(ValidationError) as error:
            nominate(acme, engagement, variant, group="Peers")
        assert "already named" in str(error.value)


def test_the_database_refuses_a_second_nominee_at_one_mailbox(acme, engagement):
    first = nominate(acme, engagement, "fake.manager+1@mail.example")
    with practice_context(acme.practice), transaction.atomic(), pytest.raises(IntegrityError):
        Nominee.objects.create(engagement=engagement, group="Peers", name="Again", email="fakemanager+2@mail.example",
                               link_secret=first.link_secret)


def test_three_real_addresses_the_coachee_controls_are_never_invited_before_the_coach_approves(acme, engagement, mailoutbox):
    fakes = [nominate(acme, engagement, f"{who}@coachee-owns.example") for who in ("alpha", "bravo", "charlie")]
    point = due_point(acme, engagement)
    assert stakeholders.dispatch_nominee_messages(practice=acme.practice).sent == 0 and not mailoutbox
    for fake in fakes:
        assert answer(acme, point, fake, 1).status_code == 404
    with practice_context(acme.practice):
        assert not point.stakeholder_responses.exists()
    assert "3 stakeholders wait for your approval" in client_at(acme, engagement.coach).get(
        f"/engagements/{engagement.pk}/stakeholders/").content.decode()


def test_the_line_manager_group_is_never_shown_alone_even_when_filled():
    """Had the coach approved three "line managers", their group still shows only inside Other
    stakeholders, and Other only with answers from two groups at least."""
    lines, n, means, comments = assess_groups(point_id=1, groups=["Line manager", "Peers"], minimum=3, responses=[
        ("Line manager", {1: 9}, "REAL"), ("Line manager", {1: 1}, ""), ("Line manager", {1: 1}, ""),
    ])
    assert not any(line.shown for line in lines) and n == 0 and means == {1: None} and comments == []
    lines, n, _, _ = assess_groups(point_id=1, groups=["Line manager", "Peers"], minimum=3, responses=[
        ("Line manager", {1: 9}, ""), ("Peers", {1: 1}, ""), ("Peers", {1: 1}, ""),
    ])
    assert [(line.name, line.shown) for line in lines] == [(OTHER, True)] and n == 3


def _figures(cast, engagement, user) -> list[str]:
    """Every number the progress page's stakeholder sections show."""
    page = client_at(cast, user).get(f"/engagements/{engagement.pk}/progress/").content.decode()
    sections = re.findall(r'<section class="stakeholders".*?</section>', page, flags=re.S)
    return [re.sub(r"objective-chart-\d+", "", section) for section in sections]


@pytest.mark.parametrize("hidden", [1, 10])
def test_no_aggregate_shown_depends_on_a_hidden_answer(acme, engagement, hidden):
    """The differencing attack: peers (3) and direct reports (3) are shown, the line manager's one
    answer is not. Every figure shown (group means, the Stakeholders mean and its n, comments, the
    dashboards' response counts) is the same whatever the line manager answered, or whether they
    answered at all: no subtraction of one shown aggregate from another yields it."""
    peers = name(acme, engagement, "Peers", 3)
    reports = name(acme, engagement, "Direct reports", 3)
    [manager] = name(acme, engagement, "Line manager", 1)
    point = due_point(acme, engagement)
    for nominee, score in zip(peers + reports, [6, 7, 8, 5, 5, 8], strict=True):
        answer(acme, point, nominee, score)
    answer(acme, point, manager, hidden, f"MANAGER {hidden}")
    with practice_context(acme.practice):
        close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
        rates = dashboards.load_progress([engagement])[engagement.pk].stakeholder_rates
    assert rates == ["Mid-point: 6 of 7"]
    for who in ("coachee2", "coach", "sponsor", "admin"):
        [section] = [shown for shown in _figures(acme, engagement, getattr(acme, who)) if "Stakeholders (n=" in shown]
        assert "Stakeholders (n=6)" in section and f"MANAGER {hidden}" not in section
        numbers = re.findall(r"\d+(?:\.\d+)?", re.sub(r"<[^>]+>", " ", section))
        # From 3 a group, objective 1: peers (3) 7, direct reports (3) 6, the Stakeholders row (n=6) 6.50.
        assert numbers == ["3", "1", "3", "7", "3", "6", "6", "6.50"], repr(numbers)


def test_every_page_reads_the_same_whatever_the_hidden_answer_was_or_whether_it_was_given(acme, engagement):
    """The differencing attack before and after, on everything that shows the closed point: the same
    point closed with the line manager's one answer at 1, at 10, or not given, reads the same on every
    page, dashboard, CSV and the progress report of every reader (each closing is rolled back after
    reading, so the three closings start from the same answers)."""
    peers = name(acme, engagement, "Peers", 3)
    reports = name(acme, engagement, "Direct reports", 3)
    [manager] = name(acme, engagement, "Line manager", 1)
    point = due_point(acme, engagement)
    for nominee, score in zip(peers + reports, [6, 7, 8, 5, 5, 8], strict=True):
        answer(acme, point, nominee, score, f"shown {score}")
    readers = {who: signed_in_reader(acme, who) for who in ("coachee2", "coach", "sponsor", "admin")}

    def closed_with(hidden: int | None) -> dict[str, str]:
        with transaction.atomic():
            if hidden is not None:
                assert answer(acme, point, manager, hidden, f"MANAGER {hidden}").status_code == 200
            with practice_context(acme.practice):
                close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
            read = {f"{who} {url}": page for who, client in readers.items()
                    for url, page in pages_showing(client, engagement, point, who).items()}
            read["report"] = report_text(acme, engagement)
            transaction.set_rollback(True)
        return read

    low, high, none = closed_with(1), closed_with(10), closed_with(None)
    assert "Stakeholders (n=6)" in low["sponsor /dashboard/sponsor/engagements/%d/" % engagement.pk]
    assert "Mid-point: 6 of 7" in low["admin /practice/dashboard/"]
    for where, page in low.items():
        assert "MANAGER" not in page and "MANAGER" not in high[where], where
        assert page == high[where] == none[where], where
