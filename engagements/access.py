"""Who sees what: DESIGN.md's table, written once.

Every page, download, CSV row, email, PDF and API answer that shows part of an engagement asks
this module, directly or through `sessions.access` and `measurement.access`, which apply the same
table to their own objects. Each `access_*` function loads an object for a viewer or raises
Http404: the same answer for "missing" and "not yours", so nothing reveals that it exists.

How a person relates to an engagement (each relation needs its role, active, in this practice):
- coachee: the engagement's leader;
- coach: its own coach (any other coach is nobody here);
- admin: a practice admin;
- sponsor: a party to the contract in force (the accepted version) who holds an active sponsor
  membership for that contract's client organisation. A sponsor replaced by an amendment keeps
  the contract versions they accepted, and sees nothing after.
A person may hold several relations (an admin who coaches it; a sponsor who is also a coachee
elsewhere relates to each engagement on its own terms).
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from coachhub.tenancy.models import Membership, Role
from coachhub.tenancy.viewers import Viewer, as_viewer
from engagements.models import Acceptance, ChemistryCall, ContractVersion, Engagement


class Relation(StrEnum):
    COACHEE = "coachee"
    COACH = "coach"
    ADMIN = "admin"
    SPONSOR = "sponsor"


class Data(StrEnum):
    """The rows of DESIGN.md's "Who sees what", named as there."""

    PRIVATE_NOTES = "private coach notes"
    SUMMARIES_AND_ACTIONS = "shared summary, actions"
    SHARED_WITH_SPONSOR = "summaries the coachee chose to share"
    SESSION_DATES = "session dates, attendance, sessions used"
    CONTRACT = "contract and its PDF"
    PROGRESS = "objectives, ratings, on/off track, progress PDF"
    CHEMISTRY_OBJECTIVES = "chemistry-call objectives"
    REFLECTIONS = "the coachee's own reflections"
    REMINDERS = "reminders sent and due"
    STAKEHOLDERS = "who the stakeholders are"
    STAKEHOLDER_COUNTS = "how many stakeholders were named and answered, per group"


COACHEE, COACH, ADMIN, SPONSOR = Relation.COACHEE, Relation.COACH, Relation.ADMIN, Relation.SPONSOR

# The table. Sponsors see a contract version only if they are a party to it (see
# `_sponsor_versions`); chemistry-call objectives go to the coaches called, not the engagement's.
WHO_SEES: dict[Data, frozenset[Relation]] = {
    Data.PRIVATE_NOTES: frozenset({COACH}),
    Data.SUMMARIES_AND_ACTIONS: frozenset({COACHEE, COACH}),
    Data.SHARED_WITH_SPONSOR: frozenset({COACHEE, COACH, SPONSOR}),
    Data.SESSION_DATES: frozenset({COACHEE, COACH, ADMIN, SPONSOR}),
    Data.CONTRACT: frozenset({COACHEE, COACH, ADMIN, SPONSOR}),
    Data.PROGRESS: frozenset({COACHEE, COACH, ADMIN, SPONSOR}),
    Data.CHEMISTRY_OBJECTIVES: frozenset({COACHEE, COACH, ADMIN}),
    Data.REFLECTIONS: frozenset({COACHEE}),
    Data.REMINDERS: frozenset({ADMIN}),
    # Stakeholder ratings and comments are read with the progress (anonymous, groups at their minimum
    # only: measurement/stakeholders/results.py); their names and emails only by coachee and coach.
    Data.STAKEHOLDERS: frozenset({COACHEE, COACH}),
    Data.STAKEHOLDER_COUNTS: frozenset({COACHEE, COACH, ADMIN, SPONSOR}),
}

# Pages past the chemistry stage (contracting, sessions) and those with measurement (progress).
MATCHED_STAGES = (Engagement.Stage.CONTRACTING, Engagement.Stage.ACTIVE, Engagement.Stage.COMPLETED)
MEASURED_STAGES = (Engagement.Stage.ACTIVE, Engagement.Stage.COMPLETED)

Acting = Relation | frozenset[Relation] | None

_ROLE_OF = {COACHEE: Role.COACHEE, COACH: Role.COACH, ADMIN: Role.ADMIN, SPONSOR: Role.SPONSOR}


def _active_sponsor_of(user, organisation_ref: str) -> Exists:
    return Exists(Membership.objects.filter(
        user=user, role=Role.SPONSOR, is_active=True, client_organisation=OuterRef(organisation_ref),
    ))


def _sponsor_versions(user) -> QuerySet[ContractVersion]:
    """The versions a sponsor may read: those naming them as a party, while they are an active
    sponsor of the version's client organisation (so one replaced keeps theirs, nothing after)."""
    return ContractVersion.objects.filter(sponsor=user).filter(_active_sponsor_of(user, "client_organisation"))


def _sponsor_in_force(user) -> Exists:
    """The engagement's contract in force names `user` as its sponsor, and they are an active sponsor
    of its client organisation."""
    return Exists(ContractVersion.objects.filter(
        engagement=OuterRef("pk"), sponsor=user, status=ContractVersion.Status.ACCEPTED,
    ).filter(_active_sponsor_of(user, "client_organisation")))


def _party_filter(viewer: Viewer, relations: frozenset[Relation], **fields: str) -> Q | None:
    """A filter for the rows that name `viewer` in the field of a relation they may see through
    (`coachee="engagement__coachee"`, `coach="coach"`), holding its role; None for all (admins)."""
    held = {r for r in relations if viewer.holds(_ROLE_OF[r])}
    if ADMIN in held:
        return None
    visible = Q(pk__in=[])
    for relation, field in fields.items():
        if Relation(relation) in held:
            visible |= Q(**{field: viewer.user})
    return visible


def _narrowed(relations: frozenset[Relation], acting_as: Acting) -> frozenset[Relation]:
    """`relations`, only those of `acting_as` when given (a list of one's own things: "as their coach")."""
    if acting_as is None:
        return relations
    return relations & (acting_as if isinstance(acting_as, frozenset) else frozenset({acting_as}))


def _relation_filters(viewer: Viewer, to_see: Data, acting_as: Acting = None) -> Q | None:
    """A filter on Engagement for the engagements of which `viewer` may see `to_see` (through
    `acting_as`, when given); None for all."""
    relations = _narrowed(WHO_SEES[to_see], acting_as)
    visible = _party_filter(viewer, relations, coachee="coachee", coach="coach")
    if visible is not None and SPONSOR in relations and viewer.holds(Role.SPONSOR):
        if to_see == Data.CONTRACT:
            visible |= Exists(_sponsor_versions(viewer.user).filter(engagement=OuterRef("pk")))
        else:
            visible |= _sponsor_in_force(viewer.user)
    return visible


def visible_engagements(viewer: Viewer, to_see: Data, *, acting_as: Acting = None) -> QuerySet[Engagement]:
    """Every engagement of which `viewer` may see `to_see`, through any relation or only those of
    `acting_as` ("the engagements I coach": an admin who coaches lists only theirs). `with_relations`
    adds, per row, whether they are its sponsor in force."""
    engagements = Engagement.objects.select_related("coachee", "coach", "sponsor", "client_organisation")
    visible = _relation_filters(viewer, to_see, acting_as)
    return engagements if visible is None else engagements.filter(visible)


def with_relations(engagements: QuerySet[Engagement], viewer: Viewer) -> QuerySet[Engagement]:
    """Annotate whether `viewer` is each engagement's sponsor in force (one subquery, no extra query)."""
    if not viewer.holds(Role.SPONSOR):
        return engagements
    return engagements.annotate(viewer_is_sponsor=_sponsor_in_force(viewer.user))


def _named_as(viewer: Viewer, **people: int | None) -> set[Relation]:
    """The relations whose person (`coachee=id`, `coach=id`, `sponsor=id`) is `viewer`, holding that
    role; and admin, for practice admins."""
    relations = {
        Relation(relation) for relation, person_id in people.items()
        if person_id == viewer.pk and viewer.holds(_ROLE_OF[Relation(relation)])
    }
    return relations | ({ADMIN} if viewer.is_admin else set())


def relations_to(viewer: Viewer, engagement: Engagement) -> frozenset[Relation]:
    """How `viewer` relates to `engagement` (loaded through this module, or one query more)."""
    relations = _named_as(viewer, coachee=engagement.coachee_id, coach=engagement.coach_id)
    if viewer.holds(Role.SPONSOR):
        sponsors = getattr(engagement, "viewer_is_sponsor", None)
        if sponsors is None:
            sponsors = Engagement.objects.filter(pk=engagement.pk).filter(_sponsor_in_force(viewer.user)).exists()
        if sponsors:
            relations.add(SPONSOR)
    return frozenset(relations)


def may_see(viewer: Viewer, to_see: Data, engagement: Engagement) -> bool:
    return bool(relations_to(viewer, engagement) & WHO_SEES[to_see])


def acts_as(relations: frozenset[Relation], acting_as: Acting) -> bool:
    if acting_as is None:
        return True
    wanted = acting_as if isinstance(acting_as, frozenset) else frozenset({acting_as})
    return bool(relations & wanted)


def access_engagement(
    viewer: Viewer, engagement_id: int, *, to_see: Data, acting_as: Acting = None,
    stages: tuple[str, ...] = MATCHED_STAGES,
) -> Engagement:
    """The engagement, if `viewer` may see `to_see` of it (and relates to it as `acting_as`, when
    an action needs a particular party), in one of `stages`; Http404 otherwise."""
    engagement = with_relations(visible_engagements(viewer, to_see).filter(stage__in=stages), viewer).filter(
        pk=engagement_id
    ).first()
    if engagement is None or not acts_as(relations_to(viewer, engagement), acting_as):
        raise Http404
    return engagement


def relates_as(actor, engagement: Engagement, relation: Relation) -> bool:
    """For services that answer differently per party (the coach may book past the contract): whether
    `actor` relates to `engagement` as `relation`."""
    return relation in relations_to(as_viewer(actor), engagement)


def open_enquiry(viewer: Viewer) -> Engagement | None:
    """`viewer`'s own enquiry still at the chemistry stage, as its leader (an active coachee); None if
    there is none. There is at most one (a constraint)."""
    leader = _party_filter(viewer, frozenset({COACHEE}), coachee="coachee")
    return Engagement.objects.filter(leader, stage=Engagement.Stage.CHEMISTRY).first()


def require_relation(actor, engagement: Engagement, acting_as: Acting) -> None:
    """For services: `actor` must relate to `engagement` as `acting_as` (coach and coachee need no
    query); Http404 otherwise, as for an engagement that does not exist."""
    viewer = as_viewer(actor)
    if not acts_as(relations_to(viewer, engagement), acting_as):
        raise Http404


def call_relations(viewer: Viewer, call: ChemistryCall) -> frozenset[Relation]:
    """How `viewer` relates to a chemistry call: its leader, the coach called, an admin."""
    relations = _named_as(viewer, coachee=call.engagement.coachee_id, coach=call.coach_id)
    return frozenset(relations) & WHO_SEES[Data.CHEMISTRY_OBJECTIVES]


def access_chemistry_call(viewer: Viewer, call_id: int, *, acting_as: Acting = None) -> ChemistryCall:
    """A chemistry call for its leader, the coach called and practice admins (narrowed to
    `acting_as`: the leader rescheduling, the coach recording the outcome, an admin reassigning);
    Http404 otherwise."""
    call = visible_chemistry_calls(viewer).filter(pk=call_id).first()
    if call is None or not acts_as(call_relations(viewer, call), acting_as):
        raise Http404
    return call


def require_call_relation(actor, call: ChemistryCall, acting_as: Acting) -> None:
    """For services: `actor` must relate to `call` as `acting_as`; Http404 otherwise."""
    if not acts_as(call_relations(as_viewer(actor), call), acting_as):
        raise Http404


def visible_chemistry_calls(viewer: Viewer, *, acting_as: Acting = None) -> QuerySet[ChemistryCall]:
    """The chemistry calls `viewer` may see: admins all, a coach the calls with them, a leader theirs
    (only those of `acting_as`, when given: a coach's own calls on their home page)."""
    calls = ChemistryCall.objects.select_related("booking", "coach", "engagement__coachee")
    relations = _narrowed(WHO_SEES[Data.CHEMISTRY_OBJECTIVES], acting_as)
    visible = _party_filter(viewer, relations, coachee="engagement__coachee", coach="coach")
    return calls if visible is None else calls.filter(visible)


def visible_contract_versions(viewer: Viewer) -> QuerySet[ContractVersion]:
    """Every version `viewer` may read: admins all; coachee and coach the versions they are parties
    to; a sponsor likewise, while an active sponsor of its organisation (see `_sponsor_versions`)."""
    versions = ContractVersion.objects.select_related("engagement", "coachee", "coach", "sponsor", "client_organisation")
    visible = _party_filter(viewer, WHO_SEES[Data.CONTRACT], coachee="coachee", coach="coach")
    if visible is None:
        return versions
    if viewer.holds(Role.SPONSOR):
        visible |= Q(pk__in=_sponsor_versions(viewer.user).values("pk"))
    return versions.filter(visible)


def version_relations(viewer: Viewer, version: ContractVersion) -> frozenset[Relation]:
    """How `viewer` relates to a version they may read: its parties, and admins."""
    return frozenset(_named_as(viewer, coachee=version.coachee_id, coach=version.coach_id, sponsor=version.sponsor_id))


PARTIES = frozenset({COACHEE, COACH, SPONSOR})


def party_versions(viewer: Viewer, relation: Relation | None = None) -> QuerySet[ContractVersion]:
    """The versions naming `viewer` as their `relation` (coachee, coach or sponsor; any of them when
    None) by `party_role`'s rule: holding that role; a sponsor while an active sponsor of the version's
    organisation. The "awaiting your answer" and "awaiting your rating" lists and a person's data
    export start here."""
    if relation is None:
        named = Q(pk__in=[])
        for party in PARTIES:
            if viewer.holds(_ROLE_OF[party]):
                named |= Q(pk__in=party_versions(viewer, party).values("pk"))
        return ContractVersion.objects.filter(named)
    if not viewer.holds(_ROLE_OF[relation]):
        return ContractVersion.objects.none()
    if relation == SPONSOR:
        return _sponsor_versions(viewer.user)
    return ContractVersion.objects.filter(**{relation.value: viewer.user})


def versions_to_answer(viewer: Viewer, acting_as: Relation | None = None) -> QuerySet[ContractVersion]:
    """Sent versions that ask `viewer` for their answer (as `acting_as`, if given): as its coachee or
    coach while holding that role, as its sponsor only while an active sponsor of its organisation, so
    a former sponsor is asked for nothing (nor shown it)."""
    return party_versions(viewer, acting_as).filter(status=ContractVersion.Status.SENT)


def party_role(viewer: Viewer | object, version: ContractVersion) -> str | None:
    """The party `viewer` (or a person: services pass their actor) answers and rates `version` as
    (an `Acceptance.Role`), or None: its coachee or coach while holding that role; its sponsor while
    an active sponsor of its client organisation (one replaced by an amendment is no party to the
    versions after; one deactivated, or moved to another organisation, to none). Admins are no party.
    One query at most, for a sponsor (and one for a person's roles, unless they are the requester)."""
    viewer = as_viewer(viewer)
    named = _named_as(viewer, coachee=version.coachee_id, coach=version.coach_id, sponsor=version.sponsor_id)
    for relation in (COACHEE, COACH, SPONSOR):
        if relation not in named:
            continue
        if relation == SPONSOR and not _sponsor_versions(viewer.user).filter(pk=version.pk).exists():
            continue
        return Acceptance.Role(relation.value)
    return None


# --- A person's own data: what their subject-access export gathers (records/contents) ----------
# A coachee's and a coach's engagements, and every contract version naming a person, are their own
# data through every relation they hold or once held: an ended membership takes them off the pages,
# never out of the person's export. A sponsor's engagements are other people's work shared with
# the sponsor in force, so they follow the pages' rule (their own ratings and versions stay theirs).


def data_subject(person) -> Viewer:
    """`person` with every role they hold or held in the current practice (one query)."""
    return Viewer(person, frozenset(Membership.objects.filter(user=person).values_list("role", flat=True)))


def subject_engagements(subject: Viewer, relation: Relation) -> QuerySet[Engagement]:
    """The engagements naming `subject` as their coachee or coach, if they ever held that role; as
    sponsor, those they sponsor in force as an active sponsor (the pages' rule)."""
    if relation == SPONSOR:
        return visible_engagements(subject, Data.SESSION_DATES, acting_as=SPONSOR)
    engagements = Engagement.objects.select_related("coachee", "coach", "sponsor", "client_organisation")
    if not subject.holds(_ROLE_OF[relation]):
        return engagements.none()
    return engagements.filter(**{relation.value: subject.user})


def subject_versions(subject: Viewer) -> QuerySet[ContractVersion]:
    """Every contract version naming `subject` as a party."""
    return ContractVersion.objects.filter(Q(coachee=subject.user) | Q(coach=subject.user) | Q(sponsor=subject.user))


def subject_role(subject: Viewer, version: ContractVersion) -> str | None:
    """The party `version` names `subject` as (coachee first), whatever their roles now."""
    for relation in (COACHEE, COACH, SPONSOR):
        if getattr(version, f"{relation.value}_id") == subject.pk:
            return Acceptance.Role(relation.value)
    return None


def access_contract_version(viewer: Viewer, version_id: int, *, acting_as: Acting = None) -> ContractVersion:
    """One version `viewer` may read (as its coach, who drafts it, or as any of its `PARTIES`,
    who answer it, when `acting_as` says so); Http404 otherwise."""
    version = visible_contract_versions(viewer).prefetch_related(
        "objectives", Prefetch("acceptances", queryset=Acceptance.objects.select_related("party"))
    ).filter(pk=version_id).first()
    if version is None or not acts_as(version_relations(viewer, version), acting_as):
        raise Http404
    return version


def require_version_relation(actor, version: ContractVersion, acting_as: Acting) -> None:
    """For services: `actor` must relate to `version` as `acting_as`; Http404 otherwise."""
    if not acts_as(version_relations(as_viewer(actor), version), acting_as):
        raise Http404
