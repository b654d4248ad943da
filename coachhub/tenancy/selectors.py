"""Reads about practices and memberships. Querysets only; no side effects."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Count, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

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
    """The practice's audit trail, newest first, filtered: by a person (their email), who acted or
    whom the entry names, by kind (the action's first word: "contract" matches "contract.accepted"),
    and from `since` up to `before` (aware datetimes). The filters use the (practice, actor | action)
    indexes; the names of the people in each subject come from `audit.name_people`."""
    entries = AuditEntry.objects.select_related("actor").order_by("-created_at", "-pk")
    if person_email:
        person = get_user_model().objects.filter(email__iexact=person_email).values_list("pk", flat=True).first()
        if person is None:
            return entries.none()
        names_them = RawSQL(
            """jsonb_path_exists("tenancy_auditentry"."people", '$.* ? (@ == $id)', jsonb_build_object('id', %s))""",
            [person], output_field=BooleanField(),
        )
        entries = entries.alias(names_them=names_them).filter(Q(actor_id=person) | Q(names_them=True))
    if kind:
        entries = entries.filter(action__startswith=f"{kind}.")
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if before is not None:
        entries = entries.filter(created_at__lt=before)
    return entries
