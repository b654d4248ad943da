"""Reads about practices and memberships. Querysets only; no side effects."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet

from coachhub.tenancy.models import (
    AuditEntry,
    ClientOrganisation,
    Domain,
    Membership,
    Practice,
    Role,
)


def practice_for_host(host: str) -> Practice | None:
    """The practice a host name serves: `<slug>.<BASE_DOMAIN>` or a mapped custom domain."""
    suffix = "." + settings.BASE_DOMAIN
    if host.endswith(suffix) and "." not in host[: -len(suffix)]:
        return Practice.objects.filter(slug=host[: -len(suffix)]).first()
    # Domain rows are readable in every context (its RLS policy says so) for exactly this.
    domain = Domain._base_manager.select_related("practice").filter(host=host).first()
    return domain.practice if domain else None


def active_roles(user) -> frozenset[str]:
    """The roles `user` holds, active, in the current practice."""
    return frozenset(
        Membership.objects.filter(user=user, is_active=True).values_list("role", flat=True)
    )


def is_member(user) -> bool:
    return Membership.objects.filter(user=user, is_active=True).exists()


def people() -> list[dict]:
    """Everyone with a membership here, one entry per person with all their roles."""
    memberships = Membership.objects.select_related("user", "client_organisation").order_by(
        "user__full_name", "user__email", "role"
    )
    by_user: dict[int, dict] = {}
    for membership in memberships:
        person = by_user.setdefault(
            membership.user_id,
            {"user": membership.user, "active_roles": [], "ended_roles": [], "organisation": None},
        )
        bucket = "active_roles" if membership.is_active else "ended_roles"
        person[bucket].append(membership.get_role_display())
        person["organisation"] = person["organisation"] or membership.client_organisation
    return list(by_user.values())


def memberships_of(user_id: int) -> QuerySet[Membership]:
    return Membership.objects.filter(user_id=user_id).select_related("user", "client_organisation")


def active_admin_count() -> int:
    return Membership.objects.filter(role=Role.ADMIN, is_active=True).count()


def client_organisations() -> QuerySet[ClientOrganisation]:
    sponsors = Membership.objects.filter(role=Role.SPONSOR, is_active=True).select_related("user")
    return ClientOrganisation.objects.annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True)
    ).prefetch_related(Prefetch("members", queryset=sponsors, to_attr="sponsors"))


def audit_entries(*, person_email: str = "", kind: str = "", since=None, before=None) -> QuerySet:
    """The practice's audit trail, newest first, filtered: by the person who acted (their email),
    by kind (the action's first word: "contract" matches "contract.accepted"), and from `since`
    up to `before` (aware datetimes). The filters use the (practice, actor | action) indexes."""
    entries = AuditEntry.objects.select_related("actor").order_by("-created_at", "-pk")
    if person_email:
        entries = entries.filter(actor__email__iexact=person_email)
    if kind:
        entries = entries.filter(action__startswith=f"{kind}.")
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if before is not None:
        entries = entries.filter(created_at__lt=before)
    return entries
