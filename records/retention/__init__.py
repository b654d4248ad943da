"""The daily retention purge: each kind of personal data is kept as long as the practice's terms say,
then purged, leaving one audit line per engagement or person saying what went.

- completed engagements, once their contract's record-keeping period has ended (`engagements`);
- sign-in records older than 90 days (coachhub.tenancy.audit);
- exports older than 7 days and private-notes PDFs older than a day (`exports`, its own daily task).

Each engagement is purged and committed on its own (engagements.locking.sweep_engagements): one that
fails is logged and rolled back, the others are still purged, and it is tried again on the next run.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from coachhub.tenancy import audit
from coachhub.tenancy.context import practice_context, require_practice
from coachhub.tenancy.models import Practice
from engagements.locking import sweep_engagements
from records.retention import engagements
from records.retention.exports import purge_old_exports

__all__ = ["purge_expired_records", "purge_old_exports"]

logger = logging.getLogger(__name__)


def purge_expired_records(*, practice: Practice | None = None, now: datetime | None = None) -> int:
    """Purge a practice's (default: the current one's) records past their retention period. Returns
    sessions whose private notes were purged."""
    practice = practice or require_practice()
    now = now or timezone.now()
    with practice_context(practice):
        expired = engagements.expired_engagements(now=now)
    purged = sweep_engagements(
        practice, expired, lambda engagement: engagements.purge_engagement_records(engagement=engagement, now=now),
        sweep="retention purge",
    )
    with practice_context(practice), transaction.atomic():
        sign_ins = audit.purge_sign_ins()
    if sign_ins:
        logger.info("practice %s: %d sign-in records older than 90 days purged", practice.pk, sign_ins)
    return sum(purged)
