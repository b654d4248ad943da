"""The kinds of reminder: whom each goes to and when, whether it still applies, when it is stale.

Every kind answers, for the object it is about (a chemistry call, a coaching session, a contract
version, an action, a measurement point):
- `wanted(obj)`: the reminders it should have now, as (recipient id, due instant in UTC);
- `still_applies(obj, reminder)`: None, or why it no longer applies (nothing already done is reminded);
- `stale_at(obj, reminder)`: after this instant sending it would be pointless (it is skipped, saying so);
- `context(...)`: what its email says, with the link to the page where the person acts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from engagements.models import Acceptance, ChemistryCall, ContractVersion, Engagement
from measurement.models import MeasurementPoint
from measurement.selectors import missing_raters
from sessions.models import ActionItem, Attendance, CoachingSession

WEEK = timedelta(days=7)
# "The day before" an action is due means this hour, in the owner's own zone.
ACTION_REMINDER_HOUR = time(9, 0)
CONTRACT_FIRST_AFTER = timedelta(days=2)


def local_instant(day: date, at: time, zone: str) -> datetime:
    """`day` at `at` on the wall clock of `zone`, as a UTC instant (right across DST changes)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))


def next_local_time(after: datetime, at: time, zone: str) -> datetime:
    """The first `at` on the wall clock of `zone` at or after the instant `after`."""
    local_day = after.astimezone(ZoneInfo(zone)).date()
    candidate = local_instant(local_day, at, zone)
    return candidate if candidate >= after else local_instant(local_day + timedelta(days=1), at, zone)


def last_local_time(before: datetime, at: time, zone: str) -> datetime:
    """The last `at` on the wall clock of `zone` at or before the instant `before`."""
    local_day = before.astimezone(ZoneInfo(zone)).date()
    candidate = local_instant(local_day, at, zone)
    return candidate if candidate <= before else local_instant(local_day - timedelta(days=1), at, zone)


DIGEST_TIME = time(7, 0)


def digest_slot(due_at: datetime, zone: str, now: datetime) -> datetime | None:
    """The morning digest that carries a reminder due at `due_at`: the last 07:00 on the reader's
    clock at or before it (a day-before reminder comes the morning before, not after), while that is
    still ahead. None once it has passed: the dispatcher then sends it singly or in the next digest."""
    slot = last_local_time(due_at, DIGEST_TIME, zone)
    return slot if slot > now else None


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page another part of the app has not mounted yet
        return reverse("home")


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # for the settings page: "Chemistry call, a day before"
    template: str  # emails/reminders/<template>_{subject.txt,message.txt,message.html}
    prefix: str  # the subject's prefix: "call", "session", ...
    load: Callable[[Iterable[int]], dict]
    wanted: Callable[[object], list[tuple[int, datetime]]]
    still_applies: Callable[[object, object], str | None]
    stale_at: Callable[[object, object], datetime]
    context: Callable[[object, object], dict]
    engagement_id: Callable[[object], int | None]
    recurring: bool = False  # weekly after the first, until it no longer applies
    # The roles it can go to: the settings page offers a person only the kinds of their roles.
    audience: frozenset[str] = frozenset({"coach", "coachee", "sponsor"})


# --- Chemistry calls ---------------------------------------------------------------------------------


def _load_calls(ids) -> dict:
    return ChemistryCall.objects.select_related("booking", "engagement__coachee", "coach").in_bulk(list(ids))


def _call_booked(call: ChemistryCall, reminder) -> str | None:
    if call.status != ChemistryCall.Status.BOOKED or not call.booking.is_active:
        return f"the chemistry call is {call.get_status_display().lower()}"
    if reminder.recipient_id not in (call.coach_id, call.engagement.coachee_id):
        return "the recipient is no longer part of this call"
    return None


def _before_meeting(offset: timedelta, *, scheduled, people, check, moved: str):
    """`wanted` and `applies` for a reminder `offset` before a booked meeting (a call or a session):
    both its people, while it is `scheduled` and its booking active; "`moved`" once its time changed."""
    def wanted(meeting):
        if not scheduled(meeting) or not meeting.booking.is_active:
            return []
        due = meeting.booking.starts_at - offset
        return [(user_id, due) for user_id in people(meeting)] if due > timezone.now() else []

    def applies(meeting, reminder):
        reason = check(meeting, reminder)
        if reason is None and reminder.due_at != meeting.booking.starts_at - offset:
            return moved
        return reason

    return wanted, applies


def _before_call(offset: timedelta):
    return _before_meeting(
        offset, scheduled=lambda call: call.status == ChemistryCall.Status.BOOKED,
        people=lambda call: (call.coach_id, call.engagement.coachee_id), check=_call_booked, moved="the call was moved",
    )


def _call_context(call: ChemistryCall, reminder) -> dict:
    for_coach = reminder.recipient_id == call.coach_id
    return {
        "event": call.booking, "other": call.engagement.coachee if for_coach else call.coach, "for_coach": for_coach,
        # The leader's call page is theirs alone; a coach finds their upcoming calls on their home page.
        "url": _url("home") if for_coach else _url("my_chemistry_call", call.pk), "starts_at": call.booking.starts_at,
        "minutes": int((call.booking.ends_at - call.booking.starts_at).total_seconds() // 60),
        "coach_id": call.coach_id,
    }


def _outcome_wanted(call: ChemistryCall):
    if call.status != ChemistryCall.Status.BOOKED or not call.booking.is_active or call.outcome_recorded_at:
        return []
    return [(call.coach_id, call.booking.ends_at)]


def _outcome_applies(call: ChemistryCall, reminder) -> str | None:
    if call.outcome_recorded_at is not None:
        return "the outcome is recorded"
    if call.status != ChemistryCall.Status.BOOKED:
        return f"the chemistry call is {call.get_status_display().lower()}"
    if reminder.recipient_id != call.coach_id or reminder.due_at != call.booking.ends_at:
        return "the call was moved or reassigned"
    return None


# --- Coaching sessions ------------------------------------------------------------------------------


def _load_sessions(ids) -> dict:
    return CoachingSession.objects.select_related("booking", "engagement__coachee", "engagement__coach").in_bulk(list(ids))


def _session_scheduled(session: CoachingSession, reminder) -> str | None:
    if session.attendance != Attendance.SCHEDULED or not session.booking.is_active:
        return f"the session is {session.get_attendance_display().lower()}"
    if session.engagement.stage != Engagement.Stage.ACTIVE:
        return "the engagement is not active"
    if reminder.recipient_id not in (session.engagement.coach_id, session.engagement.coachee_id):
        return "the recipient is no longer part of this engagement"
    return None


def _before_session(offset: timedelta):
    return _before_meeting(
        offset, scheduled=lambda session: session.attendance == Attendance.SCHEDULED,
        people=lambda session: (session.engagement.coach_id, session.engagement.coachee_id),
        check=_session_scheduled, moved="the session was moved",
    )


def _session_context(session: CoachingSession, reminder) -> dict:
    engagement = session.engagement
    return {
        "session": session, "number": session.number,
        "other": engagement.coach if reminder.recipient_id != engagement.coach_id else engagement.coachee,
        "url": _url("engagement_sessions", engagement.pk), "starts_at": session.booking.starts_at,
        "minutes": int((session.booking.ends_at - session.booking.starts_at).total_seconds() // 60),
        "coach_id": engagement.coach_id,
    }


def _log_wanted(session: CoachingSession):
    if session.logged_at or session.is_cancelled or not session.booking.is_active:
        return []
    return [(session.engagement.coach_id, session.booking.ends_at)]


def _log_applies(session: CoachingSession, reminder) -> str | None:
    if session.logged_at is not None:
        return "the session is logged"
    if session.is_cancelled:
        return "the session was cancelled"
    if reminder.recipient_id != session.engagement.coach_id or reminder.due_at != session.booking.ends_at:
        return "the session was moved"
    return None


# --- Contracts ---------------------------------------------------------------------------------------


def _load_versions(ids) -> dict:
    return (
        ContractVersion.objects.select_related("engagement", "coachee", "coach", "sponsor")
        .prefetch_related("acceptances").in_bulk(list(ids))
    )


def _unanswered(version: ContractVersion) -> list[int]:
    answers = list(version.acceptances.all())
    if version.status != ContractVersion.Status.SENT or any(
        a.decision == Acceptance.Decision.CHANGES_REQUESTED for a in answers
    ):
        return []
    answered = {a.party_id for a in answers}
    return [party.pk for _, party in version.parties() if party.pk not in answered]


def _contract_wanted(version: ContractVersion):
    if version.sent_at is None:
        return []
    return [(party_id, version.sent_at + CONTRACT_FIRST_AFTER) for party_id in _unanswered(version)]


def _contract_applies(version: ContractVersion, reminder) -> str | None:
    if version.status != ContractVersion.Status.SENT:
        return f"the contract is {version.get_status_display().lower()}"
    if reminder.recipient_id not in _unanswered(version):
        return "the recipient has answered, or changes were asked for"
    return None


def _contract_context(version: ContractVersion, reminder) -> dict:
    return {
        "version": version, "coachee": version.coachee, "coach": version.coach,
        "url": _url("contract_version", version.pk), "sent_at": version.sent_at,
    }


# --- Actions -----------------------------------------------------------------------------------------


def _load_actions(ids) -> dict:
    return ActionItem.objects.select_related("engagement__coachee", "engagement__coach", "session").in_bulk(list(ids))


def _action_owner(action: ActionItem) -> int:
    return action.engagement.coach_id if action.owner == ActionItem.Owner.COACH else action.engagement.coachee_id


def _action_wanted(action: ActionItem):
    from reminders.zones import zone_of_user_id

    if action.status != ActionItem.Status.OPEN or action.due_date is None:
        return []
    owner = _action_owner(action)
    due = local_instant(action.due_date - timedelta(days=1), ACTION_REMINDER_HOUR, zone_of_user_id(owner))
    return [(owner, due)] if timezone.now() < _action_stale(action, None) else []


def _action_applies(action: ActionItem, reminder) -> str | None:
    if action.status != ActionItem.Status.OPEN:
        return "the action is done"
    if action.due_date is None:
        return "the action has no due date any more"
    if action.engagement.stage != Engagement.Stage.ACTIVE:
        return "the engagement is not active"
    if reminder.recipient_id != _action_owner(action):
        return "the recipient no longer owns this action"
    return None


def _action_stale(action: ActionItem, reminder) -> datetime:
    """At the end of the due day (in the owner's zone) the reminder has no point."""
    from reminders.zones import zone_of_user_id

    if action.due_date is None:
        return timezone.now()
    return local_instant(action.due_date + timedelta(days=1), time(0, 0), zone_of_user_id(_action_owner(action)))


def _action_context(action: ActionItem, reminder) -> dict:
    return {"action": action, "due_date": action.due_date, "url": _url("engagement_sessions", action.engagement_id)}


# --- Measurement points ------------------------------------------------------------------------------


def _load_points(ids) -> dict:
    return (
        MeasurementPoint.objects.select_related("engagement", "version__coachee", "version__coach", "version__sponsor")
        .prefetch_related("version__objectives").in_bulk(list(ids))
    )


def _raters_due(point: MeasurementPoint) -> list[int]:
    """Raters who have not yet rated every objective they rate at this point."""
    if point.closed_at is not None or point.fell_due_at is None:
        return []
    return [user.pk for _, user in missing_raters(point)]


def _point_wanted(point: MeasurementPoint):
    return [(rater, point.fell_due_at) for rater in _raters_due(point)]


def _point_applies(point: MeasurementPoint, reminder) -> str | None:
    if point.closed_at is not None:
        return "the measurement point is closed"
    if reminder.recipient_id not in _raters_due(point):
        return "the recipient has rated"
    return None


def _point_context(point: MeasurementPoint, reminder) -> dict:
    return {"point": point, "coachee": point.version.coachee, "url": _url("measurement_point", point.engagement_id, point.pk)}


# --- The registry ------------------------------------------------------------------------------------

_call_24h = _before_call(timedelta(hours=24))
_call_1h = _before_call(timedelta(hours=1))
_session_24h = _before_session(timedelta(hours=24))
_session_1h = _before_session(timedelta(hours=1))


def _starts(offset_before_start: timedelta):
    """Stale once the event is that close to starting (a 24 h reminder after the 1 h one, a 1 h one after the start)."""
    return lambda obj, reminder: obj.booking.starts_at - offset_before_start


COACHES = frozenset({"coach"})
COACH_AND_LEADER = frozenset({"coach", "coachee"})

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in [
        Kind("chemistry_call_24h", "Chemistry call: a day before", "chemistry_call", "call", _load_calls, *_call_24h,
             stale_at=_starts(timedelta(hours=1)), context=_call_context, engagement_id=lambda c: c.engagement_id,
             audience=COACH_AND_LEADER),
        Kind("chemistry_call_1h", "Chemistry call: an hour before", "chemistry_call", "call", _load_calls, *_call_1h,
             stale_at=_starts(timedelta(0)), context=_call_context, engagement_id=lambda c: c.engagement_id,
             audience=COACH_AND_LEADER),
        Kind("chemistry_outcome", "Chemistry call: after it, to record the outcome", "chemistry_outcome", "call", _load_calls,
             _outcome_wanted, _outcome_applies, stale_at=lambda c, r: c.booking.ends_at + WEEK,
             context=lambda c, r: {"call": c, "leader": c.engagement.coachee, "url": _url("record_outcome", c.pk)},
             engagement_id=lambda c: c.engagement_id, audience=COACHES),
        Kind("session_24h", "Coaching session: a day before", "coaching_session", "session", _load_sessions,
             *_session_24h, stale_at=_starts(timedelta(hours=1)), context=_session_context,
             engagement_id=lambda s: s.engagement_id, audience=COACH_AND_LEADER),
        Kind("session_1h", "Coaching session: an hour before", "coaching_session", "session", _load_sessions,
             *_session_1h, stale_at=_starts(timedelta(0)), context=_session_context, engagement_id=lambda s: s.engagement_id,
             audience=COACH_AND_LEADER),
        Kind("session_log", "Coaching session: after it, to log it", "session_log", "session", _load_sessions,
             _log_wanted, _log_applies, stale_at=lambda s, r: s.booking.ends_at + WEEK,
             context=lambda s, r: {"session": s, "coachee": s.engagement.coachee, "url": _url("session_log", s.pk)},
             engagement_id=lambda s: s.engagement_id, audience=COACHES),
        Kind("contract_acceptance", "A contract awaiting your acceptance", "contract_acceptance", "contract",
             _load_versions, _contract_wanted, _contract_applies, stale_at=lambda v, r: r.due_at + WEEK,
             context=_contract_context, engagement_id=lambda v: v.engagement_id, recurring=True),
        Kind("action_due", "An action due tomorrow", "action_due", "action", _load_actions, _action_wanted,
             _action_applies, stale_at=_action_stale, context=_action_context, engagement_id=lambda a: a.engagement_id,
             audience=COACH_AND_LEADER),
        Kind("measurement_due", "A measurement point to rate", "measurement_due", "point", _load_points,
             _point_wanted, _point_applies, stale_at=lambda p, r: r.due_at + WEEK, context=_point_context,
             engagement_id=lambda p: p.engagement_id, recurring=True),
    ]
}

# Kinds that are about the same object, armed and disarmed together.
KINDS_BY_PREFIX: dict[str, list[Kind]] = {}
for _kind in KINDS.values():
    KINDS_BY_PREFIX.setdefault(_kind.prefix, []).append(_kind)

KIND_CHOICES = [(kind.name, kind.label) for kind in KINDS.values()]


def kinds_for_roles(roles) -> list[str]:
    """The kinds a person holding `roles` can receive, in the registry's order."""
    return [kind.name for kind in KINDS.values() if kind.audience & set(roles)]
