"""The daily retention purge: each kind of personal data is kept as long as the practice's terms say,
then purged, leaving one audit line per engagement or person saying what went.

- leaders who never matched, `lead_retention_months` after their enquiry's last activity (`leads`);
- completed engagements, once their contract's record-keeping period has ended (`engagements`);
- sign-in records older than 90 days (coachhub.tenancy.audit);
- exports older than 7 days and private-notes PDFs older than a day (`exports`, its own daily task).

Each engagement is purged and committed on its own (engagements.locking.sweep_engagements): one that
fails is logged and rolled back, the others are still purged, and it is tried again on the next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from coachhub.tenancy import audit
from coachhub.tenancy.context import practice_context, require_practice
from coachhub.tenancy.models import Practice
from engagements.locking import sweep_engagements
from records.retention import engagements, leads
from records.retention.exports import purge_old_exports

__all__ = ["Purged", "purge_expired_records", "purge_old_exports"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purged:
    """What one run purged: leads, engagements and sign-in records (how many of each)."""

    leads: int = 0
    engagements: int = 0
    sign_ins: int = 0


def purge_expired_records(*, practice: Practice | None = None, now: datetime | None = None) -> Purged:
    """Purge a practice's (default: the current one's) records past their retention period."""
    practice = practice or require_practice()
    now = now or timezone.now()
    with practice_context(practice):
        stale = leads.stale_leads(now=now)
        expired = engagements.expired_engagements(now=now)
    purged_leads = sweep_engagements(
        practice, stale, lambda engagement: leads.purge_lead(engagement=engagement, now=now), sweep="retention purge of leads",
    )
    purged = sweep_engagements(
        practice, expired, lambda engagement: engagements.purge_engagement_records(engagement=engagement, now=now),
        sweep="retention purge",
    )
    with practice_context(practice), transaction.atomic():
        sign_ins = audit.purge_sign_ins()
    if sign_ins:
        logger.info("practice %s: %d sign-in records older than 90 days purged", practice.pk, sign_ins)
    return Purged(leads=sum(purged_leads), engagements=sum(purged), sign_ins=sign_ins)
