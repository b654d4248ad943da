"""What the scale seed's builders share: the tables in the order they are copied, one practice's
scope (its id, its people's zones, its coaches' calendars), and reminders as the kinds arm them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress

from coachhub.accounts.models import User
from coachhub.roster.models import Booking, CoachProfile, WeeklyHours
from coachhub.tenancy.models import ClientOrganisation, Membership, Practice
from demo.scale.tables import Ids, Table
from demo.scale.vocabulary import SLOT_HOURS
from engagements.models import (
    Acceptance,
    ChemistryCall,
    ContractingSession,
    ContractTemplate,
    ContractVersion,
    Engagement,
    Objective,
)
from measurement.models import MeasurementPoint, ObjectiveResult, Rating, RatingRevision
from reminders.models import Reminder
from sessions.models import ActionItem, CoachingSession, WorkedOnTopic

# The contract triggers (engagements/migrations/0002_contracts.py) take objectives only into a draft
# and acceptances only into a sent version: versions are copied as drafts with the objectives, sent,
# then the acceptances copied, then the versions accepted (see demo/scale/writing.py).
BEFORE_SENDING = [
    Practice, User, EmailAddress, ClientOrganisation, Membership, CoachProfile, WeeklyHours, ContractTemplate,
    WorkedOnTopic, Engagement, Booking, ChemistryCall, ContractingSession, ContractVersion, Objective,
]
ANSWERS = [Acceptance]
AFTER_ACCEPTING = [CoachingSession, ActionItem, MeasurementPoint, Rating, RatingRevision, ObjectiveResult, Reminder]
MODELS = BEFORE_SENDING + ANSWERS + AFTER_ACCEPTING


class Rows:
    """Every table's rows for one batch of practices, and the contract versions' later states."""

    def __init__(self, ids: Ids, *, now: datetime):
        self.tables = {model: Table(model, ids, now=now) for model in MODELS}
        self.sent: list[int] = []
        self.accepted: list[tuple[int, datetime]] = []

    def __getitem__(self, model) -> Table:
        return self.tables[model]


class CoachCalendar:
    """A coach's bookings as the seed places them: weekdays, at SLOT_HOURS in the coach's zone, one
    meeting per slot, so no two overlap (the booking exclusion constraint holds)."""

    def __init__(self, user_id: int, zone: str, buffer_minutes: int):
        self.user_id, self.zone, self.buffer = user_id, ZoneInfo(zone), timedelta(minutes=buffer_minutes)
        self.taken: set[tuple[date, int]] = set()

    def slot(self, day: date, preferred: int = 0) -> datetime:
        """The first free slot on `day` from the `preferred` one on, else on the next weekdays."""
        while True:
            if day.weekday() < 5:
                for offset in range(len(SLOT_HOURS)):
                    index = (preferred + offset) % len(SLOT_HOURS)
                    if (day, index) not in self.taken:
                        self.taken.add((day, index))
                        return datetime.combine(day, SLOT_HOURS[index], tzinfo=self.zone).astimezone(ZoneInfo("UTC"))
            day += timedelta(days=1)


@dataclass
class Scope:
    """One practice being seeded: everything its rows share."""

    rows: Rows
    practice_id: int
    practice_name: str
    zone: str
    now: datetime
    tolerance: Decimal
    password_hash: str
    people: dict[int, tuple[str, str]] = field(default_factory=dict)  # user id → (full name, email)
    zones: dict[int, str] = field(default_factory=dict)  # user id → the zone they are shown times in
    calendars: dict[int, CoachCalendar] = field(default_factory=dict)  # coach's user id → calendar
    organisations: dict[int, str] = field(default_factory=dict)  # client organisation id → name

    def add(self, model, **values) -> int:
        """A tenant row of this practice."""
        return self.rows[model].add(practice_id=self.practice_id, **values)

    def new_id(self, model) -> int:
        """An id for a row added later (with `id=`), for rows that must name it first."""
        table = self.rows[model]
        return table.ids.take(table.name)

    def book(self, coach_id: int, kind: str, day: date, minutes: int, preferred: int = 0) -> tuple[int, datetime, datetime]:
        """A booking in the coach's next free slot from `day`: (booking id, starts, ends)."""
        calendar = self.calendars[coach_id]
        starts_at = calendar.slot(day, preferred)
        ends_at = starts_at + timedelta(minutes=minutes)
        booking_id = self.add(
            Booking, coach_id=coach_id, kind=kind, starts_at=starts_at, ends_at=ends_at,
            blocked=(starts_at, ends_at + calendar.buffer), is_active=True,
            created_at=min(starts_at, self.now) - timedelta(days=7),
        )
        return booking_id, starts_at, ends_at

    def remind(self, kind: str, subject: str, engagement_id: int | None, recipient_id: int, due_at: datetime) -> None:
        """One reminder: sent a minute after it fell due if that is past, else waiting."""
        sent = due_at <= self.now
        self.add(
            Reminder, kind=kind, subject=subject, engagement_id=engagement_id, recipient_id=recipient_id,
            due_at=due_at, next_attempt_at=due_at, state=Reminder.State.SENT if sent else Reminder.State.PENDING,
            sent_at=due_at + timedelta(minutes=1) if sent else None, attempts=1 if sent else 0,
            created_at=min(due_at, self.now) - timedelta(days=1),
        )

    def remind_weekly(
        self, kind: str, subject: str, engagement_id: int, recipient_id: int, first: datetime, until: datetime | None,
    ) -> None:
        """A recurring reminder as the dispatcher chains it: sent weekly from `first` while the
        recipient had not acted (`until`), and the next one waiting while they still have not."""
        due = first
        while due <= self.now and (until is None or due < until):
            self.remind(kind, subject, engagement_id, recipient_id, due)
            due += timedelta(days=7)
        if until is None:
            self.remind(kind, subject, engagement_id, recipient_id, due)

    def remind_meeting(self, prefix: str, pk: int, engagement_id: int, people: tuple[int, int], starts_at: datetime) -> None:
        """A day and an hour before a meeting, to both its people (coach first)."""
        for offset, suffix in ((timedelta(hours=24), "24h"), (timedelta(hours=1), "1h")):
            for person in people:
                self.remind(f"{'chemistry_call' if prefix == 'call' else 'session'}_{suffix}", f"{prefix}:{pk}",
                            engagement_id, person, starts_at - offset)
