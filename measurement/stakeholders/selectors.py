"""Reads for the stakeholder page: the nominees (for coachee and coach), counts per group (for
everyone with access), the nominees awaiting the coach's approval, and the coach's suggestions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from engagements.models import ContractVersion, Engagement
from measurement.models import MeasurementPoint, NominationSuggestion, Nominee, StakeholderResponse
from measurement.stakeholders.results import fewer_than, live_counts
from sessions.selectors import contract_in_force


@dataclass
class GroupCount:
    name: str
    named: int  # approved by the coach: the people asked
    answered: int | None  # at the open point, only from the group's minimum (results.live_counts)
    minimum: int

    @property
    def answered_text(self) -> str:
        return fewer_than(self.minimum) if self.answered is None else str(self.answered)


@dataclass
class StakeholderPage:
    contract: ContractVersion | None
    nominees: list[Nominee]
    counts: list[GroupCount]
    suggestions: list[NominationSuggestion]
    open_point: MeasurementPoint | None

    @property
    def groups(self) -> list[str]:
        return list(self.contract.stakeholder_groups) if self.contract else []

    @property
    def minimum(self) -> int | None:
        return self.contract.stakeholder_minimum if self.contract else None

    @property
    def named_total(self) -> int:
        return sum(count.named for count in self.counts)

    @property
    def answered_total(self) -> int:
        """Answers so far in the groups whose count is shown: a total over more would tell the rest."""
        return sum(count.answered for count in self.counts if count.answered is not None)

    @property
    def awaiting(self) -> list[Nominee]:
        """The coachee's nominees the coach has yet to approve or decline (names: coachee and coach only)."""
        return [nominee for nominee in self.nominees if nominee.approval == Nominee.Approval.AWAITING]

    @property
    def short_groups(self) -> list[GroupCount]:
        """Groups with fewer people named than the minimum: their results could never be shown alone."""
        if self.contract is None:
            return []
        return [count for count in self.counts if count.named < self.contract.stakeholder_minimum]


def stakeholder_page(engagement: Engagement, *, with_names: bool) -> StakeholderPage:
    """A fixed number of queries whatever the number of nominees."""
    contract = contract_in_force(engagement)
    nominees = list(Nominee.objects.filter(engagement=engagement, purged_at__isnull=True)) if with_names else []
    named = dict(
        Nominee.objects.filter(engagement=engagement, purged_at__isnull=True, approval=Nominee.Approval.APPROVED)
        .values_list("group").annotate(n=Count("pk")).order_by()
    )
    open_point = MeasurementPoint.objects.filter(
        engagement=engagement, fell_due_at__isnull=False, closed_at__isnull=True
    ).order_by("fell_due_at").first()
    groups = list(contract.stakeholder_groups) if contract else []
    minimum = contract.stakeholder_minimum if contract else 0
    answered = live_counts(dict(
        StakeholderResponse.objects.filter(point=open_point).values_list("group").annotate(n=Count("pk")).order_by()
    ), groups=groups, minimum=minimum) if open_point else {}
    counts = [
        GroupCount(name=name, named=named.get(name, 0), answered=answered.get(name) if open_point else None, minimum=minimum)
        for name in groups + [g for g in named if g not in groups]
    ]
    suggestions = list(NominationSuggestion.objects.filter(engagement=engagement).select_related("author")) if with_names else []
    return StakeholderPage(contract=contract, nominees=nominees, counts=counts, suggestions=suggestions, open_point=open_point)

