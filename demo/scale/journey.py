"""One coachee's journey in a scaled practice, told as the demo tells it (demo/journey.py) but at a
point that depends on the coachee, so that a practice holds a year of coaching:

- coachees 1–10: completed, their contracts accepted 6 to 12 months ago, eight sessions held and
  logged, the mid- and end-point closed;
- 11–40: active, accepted in the last five months: sessions held and logged so far (the latest one
  not yet logged for every third), the rest booked ahead, the mid-point rated and closed once due,
  the end-point due and awaiting the sponsor's rating where all sessions are held;
- 41–45: contracting: matched, a contracting session, a contract sent (some parties have
  answered), drafted, or not yet written;
- 46–50: chemistry calls: one held, one ahead.

Every matched coachee had a chemistry call with their coach and one with another coach (closed at
the match). Reminders are those the kinds arm (reminders/kinds.py): sent when due in the past,
waiting when ahead.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, time, timedelta

from coachhub.roster.models import Booking
from demo.scale import measurement
from demo.scale.rows import Scope
from demo.scale.vocabulary import DEMO_LOGS, ENQUIRIES, OBJECTIVES
from engagements.contract_selectors import canonical_text, sha256_of
from engagements.models import (
    Acceptance,
    ChemistryCall,
    ContractingSession,
    ContractVersion,
    Engagement,
    Objective,
)
from engagements.models.contracts import (
    DEFAULT_SECTION_TEXTS,
    ContractFrequency,
    section_field,
)
from reminders.kinds import ACTION_REMINDER_HOUR, CONTRACT_FIRST_AFTER, local_instant
from sessions import encryption
from sessions.models import ActionItem, Attendance, CoachingSession

SESSIONS = 8
FREQUENCY = timedelta(days=14)  # fortnightly
CONTRACT_DAYS = 126
LOGGED_AFTER = timedelta(hours=2)


def stage_of(index: int) -> str:
    if index < 10:
        return Engagement.Stage.COMPLETED
    if index < 40:
        return Engagement.Stage.ACTIVE
    if index < 45:
        return Engagement.Stage.CONTRACTING
    return Engagement.Stage.CHEMISTRY


@functools.cache
def private_notes(position: int) -> str:
    """The demo's private notes, encrypted once per run (each ciphertext decrypts wherever it is stored)."""
    return encryption.encrypt(DEMO_LOGS[position]["private_notes"])


def seed_engagement(scope: Scope, index: int, *, coachee: int, coach: int, other_coach: int, organisation: int,
                    sponsor: int, variant: int) -> None:
    """Coachee number `index` (0–49) of the practice; `variant` spreads the timelines across practices."""
    stage = stage_of(index)
    objectives, hopes = ENQUIRIES[variant % len(ENQUIRIES)]
    now = scope.now
    if stage == Engagement.Stage.CHEMISTRY:
        engagement = scope.add(Engagement, coachee_id=coachee, stage=stage, objectives=objectives, hopes=hopes,
                               created_at=now - timedelta(days=10))
        recorded = variant % 2 == 0
        _call(scope, engagement, coachee, coach, now - timedelta(days=3 + variant % 5), outcome="yes" if recorded else "")
        _call(scope, engagement, coachee, other_coach, now + timedelta(days=2 + variant % 6))
        return
    if stage == Engagement.Stage.CONTRACTING:
        matched_at = now - timedelta(days=6 + variant % 5)
    else:
        days_ago = 190 + (variant * 17) % 170 if stage == Engagement.Stage.COMPLETED else 5 + (variant * 13) % 150
        matched_at = now - timedelta(days=days_ago + 9)
    engagement = scope.new_id(Engagement)
    _call(scope, engagement, coachee, coach, matched_at - timedelta(days=3), outcome="yes")
    _call(scope, engagement, coachee, other_coach, matched_at - timedelta(days=2), outcome="no", closed=True)
    held_contracting = index != 43
    contracting_day = matched_at + timedelta(days=2) if held_contracting else now + timedelta(days=3)
    booking, _, _ = scope.book(coach, Booking.Kind.CONTRACTING, contracting_day.date(), 60)
    scope.add(ContractingSession, engagement_id=engagement, booking_id=booking)
    parties = {"coachee": coachee, "coach": coach, "sponsor": sponsor}
    fields = {"id": engagement, "coachee_id": coachee, "coach_id": coach, "preferred_coach_id": coach,
              "objectives": objectives, "hopes": hopes, "matched_at": matched_at,
              "created_at": matched_at - timedelta(days=5)}
    if stage == Engagement.Stage.CONTRACTING:
        scope.add(Engagement, stage=stage, **fields)
        if held_contracting:
            answered = {41: 1, 42: 2}.get(index, 0)
            _contract(scope, engagement, variant, parties, organisation, drafted_at=matched_at + timedelta(days=3),
                      sent=index != 44, answered=answered, minutes=90)
        return
    minutes = 60 if variant % 3 == 0 else 90
    accepted_at = matched_at + timedelta(days=9)
    version, objective_rows = _contract(
        scope, engagement, variant, parties, organisation, drafted_at=accepted_at - timedelta(days=5),
        sent=True, answered=3, minutes=minutes,
    )
    start = (accepted_at + timedelta(days=7)).date()
    held = _sessions(scope, engagement, coach, coachee, start, minutes, variant,
                     leave_unlogged=stage == Engagement.Stage.ACTIVE and index % 3 == 0)
    completed_at = measurement.seed_points(
        scope, engagement=engagement, version=version, objectives=objective_rows, parties=parties, held=held,
        end_date=start + timedelta(days=CONTRACT_DAYS), completing=stage == Engagement.Stage.COMPLETED, variant=variant,
    )
    scope.add(Engagement, stage=stage, client_organisation_id=organisation, sponsor_id=sponsor,
              completed_at=completed_at, **fields)


def _call(scope: Scope, engagement: int, coachee: int, coach: int, when: datetime, *, outcome: str = "",
          closed: bool = False) -> None:
    """A chemistry call on `when`'s day (in the coach's next free slot); an outcome is recorded only once it is held."""
    booking, starts_at, ends_at = scope.book(coach, Booking.Kind.CHEMISTRY_CALL, when.date(), 30, preferred=1)
    held = ends_at <= scope.now
    recorded_at = ends_at + timedelta(hours=3) if outcome and held else None
    call = scope.add(
        ChemistryCall, engagement_id=engagement, coach_id=coach, booking_id=booking,
        status=ChemistryCall.Status.CLOSED if closed else ChemistryCall.Status.BOOKED,
        coach_outcome=outcome if recorded_at else "",
        coach_notes="Shared how we would use Strengthscope and weekly experiments." if recorded_at else "",
        outcome_recorded_at=recorded_at, manage_token_digest=sha256_of(f"scale-call-{booking}"),
        created_at=starts_at - timedelta(days=5),
    )
    scope.remind_meeting("call", call, engagement, (coach, coachee), starts_at)
    if not closed or held:
        scope.remind("chemistry_outcome", f"call:{call}", engagement, coach, ends_at)


def _objectives(variant: int) -> list[dict]:
    """Two or three of the demo's objectives, every rater rating each (no stakeholder groups)."""
    chosen = [OBJECTIVES[(variant + offset) % len(OBJECTIVES)] for offset in range(2 + variant % 2)]
    return [
        {"position": position, "description": spec["description"], "success_measure": spec["success_measure"],
         "rated_by_coachee": True, "rated_by_coach": True, "rated_by_sponsor": True, "rated_by_stakeholders": False,
         "baseline": spec["baseline"], "target": spec["target"]}
        for position, spec in enumerate(chosen, start=1)
    ]


def _contract(scope: Scope, engagement: int, variant: int, parties: dict[str, int], organisation: int, *,
              drafted_at: datetime, sent: bool, answered: int, minutes: int) -> tuple[int, list[dict]]:
    """Version 1, drafted from the default template; when sent, its canonical text and SHA-256 as
    send_contract() writes them, and the first `answered` parties' acceptances (all three: accepted)."""
    sent_at = drafted_at + timedelta(days=1) if sent else None
    start = (drafted_at + timedelta(days=12)).date()
    terms = {
        **{section_field(key): text for key, text in DEFAULT_SECTION_TEXTS.items()},
        "sessions": SESSIONS, "frequency": ContractFrequency.FORTNIGHTLY, "session_minutes": minutes,
        "number": 1, "start_date": start, "end_date": start + timedelta(days=CONTRACT_DAYS),
    }
    objectives = _objectives(variant)
    snapshot = {
        "practice": scope.practice_name,
        **{role: {"name": scope.people[user][0], "email": scope.people[user][1]} for role, user in parties.items()},
        "client_organisation": scope.organisations[organisation],
    }
    text = ""
    if sent:
        unsaved = [Objective(**{key: value for key, value in spec.items()}) for spec in objectives]
        text = canonical_text(ContractVersion(snapshot=snapshot, **terms), unsaved)
    digest = sha256_of(text) if sent else ""
    version = scope.add(
        ContractVersion, engagement_id=engagement, status=ContractVersion.Status.DRAFT, coachee_id=parties["coachee"],
        coach_id=parties["coach"], sponsor_id=parties["sponsor"], client_organisation_id=organisation,
        snapshot=snapshot if sent else {}, rendered_text=text, text_sha256=digest, drafted_by_id=parties["coach"],
        sent_at=sent_at, created_at=drafted_at, **terms,
    )
    for spec in objectives:
        spec["id"] = scope.add(Objective, version_id=version, **spec)
    if not sent:
        return version, objectives
    scope.rows.sent.append(version)
    answers = list(parties.items())[:answered]
    for step, (role, party) in enumerate(answers):
        decided_at = sent_at + timedelta(days=1, hours=2 * step) if step < 2 else sent_at + timedelta(days=4)
        scope.add(Acceptance, version_id=version, party_id=party, role=role, decision=Acceptance.Decision.ACCEPTED,
                  ip_address="192.0.2.10", text_sha256=digest, decided_at=decided_at)
    for step, (role, party) in enumerate(parties.items()):
        answered_at = None
        if step < answered:
            answered_at = sent_at + timedelta(days=1, hours=2 * step) if step < 2 else sent_at + timedelta(days=4)
        scope.remind_weekly("contract_acceptance", f"contract:{version}", engagement, party,
                            sent_at + CONTRACT_FIRST_AFTER, answered_at)
    if answered == len(parties):
        scope.rows.accepted.append((version, sent_at + timedelta(days=4)))
    return version, objectives


def _sessions(scope: Scope, engagement: int, coach: int, coachee: int, start, minutes: int, variant: int, *,
              leave_unlogged: bool) -> list[datetime]:
    """The package's sessions, fortnightly from `start`: held and logged once past, booked ahead.
    Returns when each held session was logged (points fall due then)."""
    now, logged = scope.now, []
    slots = []
    for number in range(1, SESSIONS + 1):
        booking, starts_at, ends_at = scope.book(
            coach, Booking.Kind.COACHING, start + FREQUENCY * (number - 1), minutes, preferred=variant % 4,
        )
        slots.append((number, booking, starts_at, ends_at))
    past = [slot for slot in slots if slot[3] + LOGGED_AFTER <= now]
    unlogged = past[-1][0] if leave_unlogged and past else None
    for number, booking, starts_at, ends_at in slots:
        log = DEMO_LOGS[(number - 1) % len(DEMO_LOGS)]
        held = ends_at + LOGGED_AFTER <= now and number != unlogged
        logged_at = ends_at + LOGGED_AFTER if held else None
        session = scope.add(
            CoachingSession, engagement_id=engagement, booking_id=booking, number=number,
            attendance=Attendance.HELD if held else Attendance.SCHEDULED, counts_as_used=held,
            goals=log["goals"] if held else "", worked_on=log["worked_on"] if held else [],
            private_notes_ciphertext=private_notes((number - 1) % len(DEMO_LOGS)) if held else "",
            summary=log["summary"] if held else "", logged_at=logged_at, last_saved_at=logged_at, version=1 if held else 0,
            created_at=min(starts_at, now) - timedelta(days=10),
        )
        scope.remind_meeting("session", session, engagement, (coach, coachee), starts_at)
        scope.remind("session_log", f"session:{session}", engagement, coach, ends_at)
        if held:
            logged.append(logged_at)
            _actions(scope, engagement, session, log, starts_at, coach=coach, coachee=coachee, variant=variant + number)
    return logged


def _actions(scope: Scope, engagement: int, session: int, log: dict, starts_at: datetime, *, coach: int, coachee: int,
             variant: int) -> None:
    """The log's actions, due a week after the session; most done, one in five left open (some overdue)."""
    today = scope.now.date()
    for text, owner, _ in log["actions"]:
        due_date = (starts_at + timedelta(days=7)).date()
        done = due_date + timedelta(days=3) <= today and variant % 5 != 0
        done_at = datetime.combine(due_date, time(17), tzinfo=UTC) if done else None
        action = scope.add(
            ActionItem, session_id=session, engagement_id=engagement, text=text, owner=owner, due_date=due_date,
            status=ActionItem.Status.DONE if done else ActionItem.Status.OPEN, done_at=done_at,
            created_at=min(starts_at + LOGGED_AFTER, scope.now),
        )
        owner_id = coach if owner == ActionItem.Owner.COACH else coachee
        due = local_instant(due_date - timedelta(days=1), ACTION_REMINDER_HOUR, scope.zones[owner_id])
        if due <= scope.now or not done:
            scope.remind("action_due", f"action:{action}", engagement, owner_id, due)
