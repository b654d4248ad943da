"""Data for the dashboard tests, written straight through the models (bench.measurement's bulk
builder), so these tests do not depend on the measurement services."""

from __future__ import annotations

from bench.measurement import build_portfolio
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import ClientOrganisation, Membership, Role
from engagements.models import Engagement
from tests.conftest import PracticeCast, make_user

_batches: dict[str, int] = {}


def portfolio(cast: PracticeCast, count: int, *, sponsor=None, organisation=None, coaches=None, prefix: str = "") -> list[int]:
    """`count` engagements sponsored by `sponsor` (the cast's) for `organisation` (the cast's),
    shared by the cast's two coaches; verdicts in turn: on track, at risk, off track, not measured,
    achieved (completed)."""
    key = cast.practice.slug
    batch = _batches[key] = _batches.get(key, 0) + 1
    with practice_context(cast.practice):
        built = build_portfolio(
            practice=cast.practice, organisation=organisation or cast.organisation, sponsor=sponsor or cast.sponsor,
            coaches=coaches or [cast.coach, cast.coach2], count=count, prefix=prefix or f"b{batch}",
            hours_back_from=4_000 * (batch - 1),  # batches of up to 1,000 never overlap
        )
    return built.engagement_ids


def sponsor_of(cast: PracticeCast, local: str, organisation: ClientOrganisation | None = None):
    """Another sponsor of the practice (of `organisation`, the cast's by default)."""
    with practice_context(cast.practice):
        user = make_user(f"{local}@{cast.practice.slug}.test", local.replace("-", " ").title())
        Membership.objects.create(user=user, role=Role.SPONSOR, client_organisation=organisation or cast.organisation)
    return user


def other_organisation(cast: PracticeCast, name: str = "Other Client Ltd") -> ClientOrganisation:
    with practice_context(cast.practice):
        return ClientOrganisation.objects.create(name=name)


def engagement(cast: PracticeCast, pk: int) -> Engagement:
    with practice_context(cast.practice):
        return Engagement.objects.select_related("coachee", "coach").get(pk=pk)


def signed_in(cast: PracticeCast, user):
    """A client at the practice's host signed in as `user` (for people built without a password)."""
    from django.test import Client

    from coachhub.tenancy.middleware import SESSION_PRACTICE_KEY

    client = Client(HTTP_HOST=cast.host)
    client.force_login(user)
    session = client.session
    session[SESSION_PRACTICE_KEY] = cast.practice.pk  # bound to the practice, as signing in at its host does
    session.save()
    return client
