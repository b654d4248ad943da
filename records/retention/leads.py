"""Leaders who never matched: an enquiry (chemistry calls that never led to coaching) untouched for
the practice's `lead_retention_months` (default 12) is purged.

Its last activity is the latest of the enquiry's own last change and each of its calls' end and last
change (an outcome recorded, a cancellation). The purge empties what the leader wrote (objectives,
hopes) and the coaches' notes on the calls, and deletes the reminders sent about them. The leader's
contact details go too, as erasure's anonymising does, when nothing else keeps them here
(records.anonymising.forget_former_coachee): that is the usual case, a leader holding only the
coachee role here with no other coaching. The enquiry and its calls stay, anonymous, so the counts
the practice dashboard shows (engagements by stage, the calls listed and their outcomes) are the same
after the purge as before. One audit line per lead says what went.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Greatest

from coachhub.tenancy import audit
from coachhub.tenancy.context import require_practice
from engagements.models import ChemistryCall, Engagement
from engagements.retention import add_months
from measurement.summaries.building import refresh_summary
from records.anonymising import forget_former_coachee
from reminders.models import Reminder

logger = logging.getLogger(__name__)

UNMATCHED_STAGES = (Engagement.Stage.CHEMISTRY, Engagement.Stage.CLOSED)


def _with_last_activity(engagements: QuerySet[Engagement]) -> QuerySet[Engagement]:
    calls = (
        ChemistryCall.objects.filter(engagement=OuterRef("pk")).order_by().values("engagement")
        .annotate(last=Max(Greatest("updated_at", "booking__ends_at"))).values("last")
    )
    return engagements.annotate(last_activity=Greatest("updated_at", Subquery(calls)))


def _stale(now: datetime) -> QuerySet[Engagement]:
    """The current practice's unpurged enquiries that never matched and saw nothing happen since the cutoff."""
    cutoff = add_months(now, -require_practice().lead_retention_months)
    unmatched = Engagement.objects.filter(matched_at__isnull=True, stage__in=UNMATCHED_STAGES, purged_at__isnull=True)
    return _with_last_activity(unmatched).filter(last_activity__lt=cutoff)


def stale_leads(*, now: datetime) -> list[int]:
    """Ids of the enquiries to purge, in the order a sweep takes them. One query."""
    return list(_stale(now).order_by("pk").values_list("pk", flat=True))


def purge_lead(*, engagement: Engagement, now: datetime) -> bool:
    """Purge one stale lead (the caller holds the engagement's lock; staleness is checked again under
    it, so a call booked meanwhile keeps it). Returns whether it was purged."""
    found = _stale(now).filter(pk=engagement.pk).values_list("last_activity", flat=True).first()
    if found is None:
        return False
    calls = ChemistryCall.objects.filter(engagement=engagement)
    call_count, noted = calls.count(), calls.exclude(coach_notes="").update(coach_notes="", updated_at=now)
    Engagement.objects.filter(pk=engagement.pk).update(objectives="", hopes="", purged_at=now, updated_at=now)
    reminders, _ = Reminder.objects.filter(engagement=engagement).exclude(state=Reminder.State.SENDING).delete()
    refresh_summary(engagement.pk)
    months = require_practice().lead_retention_months
    label, account = forget_former_coachee(
        engagement.coachee, now=now,
        reason=f"Retention purge: a leader who never matched, {months} months after their last chemistry call.",
    )
    purged = ["chemistry-call objectives and hopes", "coaches' notes on the calls", "reminders sent about the calls"]
    if label:
        purged.append("the leader's contact details")
    audit.record(
        actor=None, action="records.purged", subject=f"Engagement {engagement.pk} (a lead who never matched)",
        engagement=engagement.pk, purged=purged, account=account, calls=call_count, calls_with_notes=noted, reminders=reminders,
        last_activity=found.isoformat(), lead_retention_months=months, purged_at=now.isoformat(),
    )
    logger.info("engagement %s: a lead who never matched, purged (%s)", engagement.pk, account)
    return True
