"""Reads for the stakeholder page: the nominees (for coachee and coach), counts per group (for
everyone with access), and the coach's suggestions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from engagements.models import ContractVersion, Engagement
from measurement.models import MeasurementPoint, NominationSuggestion, Nominee, StakeholderResponse


@dataclass
class GroupCount:
    name: str
    named: int
    answered: int | None  # at the open point, if any


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
    def named_total(self) -> int:
        return sum(count.named for count in self.counts)

    @property
    def answered_total(self) -> int:
        return sum(count.answered or 0 for count in self.counts)

    @property
    def short_groups(self) -> list[GroupCount]:
        """Groups with fewer people named than the minimum: their results could never be shown."""
        if self.contract is None:
            return []
        return [count for count in self.counts if count.named < self.contract.stakeholder_min_responses]


def stakeholder_page(engagement: Engagement, *, with_names: bool) -> StakeholderPage:
    """A fixed number of queries whatever the number of nominees."""
    contract = ContractVersion.objects.filter(engagement=engagement, status=ContractVersion.Status.ACCEPTED).first()
    nominees = list(Nominee.objects.filter(engagement=engagement, purged_at__isnull=True)) if with_names else []
    named = dict(Nominee.objects.filter(engagement=engagement, purged_at__isnull=True).values_list("group").annotate(n=Count("pk")).order_by())
    open_point = MeasurementPoint.objects.filter(
        engagement=engagement, fell_due_at__isnull=False, closed_at__isnull=True
    ).order_by("fell_due_at").first()
    answered = dict(
        StakeholderResponse.objects.filter(point=open_point).values_list("group").annotate(n=Count("pk")).order_by()
    ) if open_point else {}
    groups = list(contract.stakeholder_groups) if contract else []
    counts = [
        GroupCount(name=name, named=named.get(name, 0), answered=answered.get(name, 0) if open_point else None)
        for name in groups + [g for g in named if g not in groups]
    ]
    suggestions = list(NominationSuggestion.objects.filter(engagement=engagement).select_related("author")) if with_names else []
    return StakeholderPage(contract=contract, nominees=nominees, counts=counts, suggestions=suggestions, open_point=open_point)
