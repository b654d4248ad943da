"""Actions agreed in a session, the coachee's reflections, and the coachee's choice to share a
session's summary with the sponsor. Done actions have a time (the database backs it)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coachhub.tenancy import audit
from coachhub.tenancy.events import publish
from engagements.access import COACH, COACHEE, require_relation
from engagements.locking import lock_engagement
from engagements.models import Engagement
from sessions.events import ActionItemChanged, ActionItemRemoved
from sessions.models import ActionItem, CoacheeReflection, CoachingSession
from sessions.services.booking import active_engagement, lock_session
from sessions.services.log import check_length


@transaction.atomic
def add_action(*, session: CoachingSession, actor, text: str, owner: str, due_date: date | None, today: date | None = None) -> ActionItem:
    today = today or timezone.localdate()
    active_engagement(session.engagement, actor)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say what is to be done."})
    if due_date is not None and due_date < today:
        raise ValidationError({"due_date": "The due date is in the past: choose today or a later day."})
    if owner not in ActionItem.Owner.values:
        raise ValidationError({"owner": "Choose who owns this action."})
    action = ActionItem.objects.create(session=session, engagement=session.engagement, text=text, owner=owner, due_date=due_date)
    audit.record(actor=actor, action="action_item.added", subject=session)
    publish(ActionItemChanged(action=action))
    return action


@transaction.atomic
def set_action_done(*, action: ActionItem, actor, done: bool, now: datetime | None = None) -> ActionItem:
    """The coachee (or the coach) ticks an action off, or opens it again."""
    lock_engagement(action.engagement_id)
    action = ActionItem.objects.select_for_update(of=("self",)).select_related("engagement").get(pk=action.pk)
    require_relation(actor, action.engagement, frozenset({COACH, COACHEE}))
    action.status = ActionItem.Status.DONE if done else ActionItem.Status.OPEN
    action.done_at = (now or timezone.now()) if done else None
    action.save(update_fields=["status", "done_at", "updated_at"])
    audit.record(actor=actor, action="action_item.done" if done else "action_item.reopened", subject=f"action {action.pk}")
    publish(ActionItemChanged(action=action))
    return action


@transaction.atomic
def remove_action(*, action: ActionItem, actor) -> None:
    """The coach takes back an action added by mistake (a typo, the wrong owner): it goes, with its
    reminder, and the audit keeps a line saying so."""
    lock_engagement(action.engagement_id)
    action = ActionItem.objects.select_for_update(of=("self",)).select_related("engagement", "session").get(pk=action.pk)
    active_engagement(action.engagement, actor)
    publish(ActionItemRemoved(action=action))
    audit.record(actor=actor, action="action_item.removed", subject=action.session)
    action.delete()


@transaction.atomic
def add_reflection(*, engagement: Engagement, actor, text: str) -> CoacheeReflection:
    require_relation(actor, engagement, COACHEE)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write your reflection first."})
    check_length("text", text)
    return CoacheeReflection.objects.create(engagement=engagement, author=actor, text=text)


@transaction.atomic
def share_summary_with_sponsor(*, session: CoachingSession, actor, shared: bool) -> CoachingSession:
    """The coachee's choice, per summary."""
    session = lock_session(session)
    require_relation(actor, session.engagement, COACHEE)
    if shared and (session.logged_at is None or not session.summary.strip()):
        # Shared is a choice about a summary the coachee has read, not a blank cheque for one to come.
        raise ValidationError("This session has no summary to share yet.")
    session.summary_shared_with_sponsor = shared
    session.save(update_fields=["summary_shared_with_sponsor", "updated_at"])
    audit.record(actor=actor, action="session_summary.shared" if shared else "session_summary.unshared", subject=session)
    return session
