"""Reads for coaching sessions. What each viewer may see follows the one table in
engagements/access.py: views load through `engagement_for` and sessions.access (404 alike for
missing and not yours) and render the `SessionRecord`s of `records_for`, which carry only what
the viewer may read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from coachhub.tenancy.viewers import Viewer, as_viewer
from engagements.access import (
    ADMIN,
    COACH,
    COACHEE,
    SPONSOR,
    WHO_SEES,
    Data,
    access_engagement,
    may_see,
    relations_to,
    visible_engagements,
)
from engagements.models import ContractVersion, Engagement
from sessions import encryption
from sessions.access import bookers
from sessions.models import (
    DEFAULT_WORKED_ON_TOPICS,
    ActionItem,
    Attendance,
    CoacheeReflection,
    CoachingSession,
    LogDraft,
    WorkedOnTopic,
)


class Participation:
    """What one viewer may see and do of one engagement's sessions, by the table in
    engagements/access.py (templates read it as `viewer`)."""

    def __init__(self, viewer: Viewer, engagement: Engagement):
        self.user, self.engagement = viewer.user, engagement
        self.relations = relations_to(viewer, engagement)
        self.is_coach = COACH in self.relations
        self.is_coachee = COACHEE in self.relations
        self.is_sponsor = SPONSOR in self.relations
        self.is_admin = ADMIN in self.relations
        self.may_book = bool(self.relations & bookers())

    def sees(self, data: Data) -> bool:
        return bool(self.relations & WHO_SEES[data])

    @property
    def may_see_dates(self) -> bool:
        return self.sees(Data.SESSION_DATES)

    @property
    def may_see_content(self) -> bool:
        """Goals, worked-on items, summary and actions."""
        return self.sees(Data.SUMMARIES_AND_ACTIONS)


def engagement_for(viewer: Viewer, engagement_id: int) -> tuple[Engagement, Participation]:
    """An engagement whose sessions `viewer` may follow (dates at least), and how; Http404 otherwise."""
    engagement = access_engagement(viewer, engagement_id, to_see=Data.SESSION_DATES)
    return engagement, Participation(viewer, engagement)


@dataclass
class SessionRecord:
    """One session as a given viewer may see it. Fields the viewer may not read stay empty."""

    session: CoachingSession
    goals: str = ""
    worked_on: list[str] = field(default_factory=list)
    summary: str = ""
    private_notes: str = ""
    actions: list[ActionItem] = field(default_factory=list)
    content_visible: bool = False
    late_if_cancelled: bool = False


def records_for(engagement: Engagement, viewer: Participation) -> list[SessionRecord]:
    """The engagement's sessions as `viewer` may see them. Three queries, however many sessions."""
    if not viewer.may_see_dates:
        return []
    sessions = list(
        CoachingSession.objects.filter(engagement=engagement).select_related("booking")
        .prefetch_related(Prefetch("actions", queryset=ActionItem.objects.order_by("status", "due_date", "pk")))
        .order_by("booking__starts_at")
    ) if viewer.may_see_content else list(
        CoachingSession.objects.filter(engagement=engagement).select_related("booking").order_by("booking__starts_at")
    )
    records = []
    for session in sessions:
        record = SessionRecord(session=session)
        # The coachee reads the log once the coach has saved it as logged, not the draft being typed.
        logged = session.logged_at is not None
        if viewer.is_coach or (viewer.is_coachee and logged):
            record.content_visible = True
            record.goals, record.worked_on, record.summary = session.goals, session.worked_on, session.summary
        elif viewer.sees(Data.SHARED_WITH_SPONSOR) and logged and session.summary_shared_with_sponsor:
            record.summary = session.summary
        if viewer.may_see_content:
            record.actions = list(session.actions.all())
        if viewer.sees(Data.PRIVATE_NOTES):
            record.private_notes = encryption.decrypt(session.private_notes_ciphertext)
        records.append(record)
    return records


@dataclass
class SessionsPage:
    """An engagement's sessions page as one viewer sees it: sessions to come (each saying whether
    cancelling it now would count as used), sessions past (newest first), and the actions."""

    commitment: Commitment
    upcoming: list[SessionRecord]
    past: list[SessionRecord]
    open_actions: list[ActionItem]
    done_actions: list[ActionItem]


def sessions_page(engagement: Engagement, viewer: Participation, *, now: datetime | None = None) -> SessionsPage:
    """Upcoming are the scheduled sessions not yet begun; the rest is past. The contract's
    cancellation rule (`cancelled_in_time`) is said before anyone confirms a cancellation."""
    now = now or timezone.now()
    records = records_for(engagement, viewer)
    commitment_now = commitment(engagement)
    upcoming, past = [], []
    for record in records:
        session = record.session
        if session.attendance == Attendance.SCHEDULED and session.booking.starts_at >= now:
            record.late_if_cancelled = not cancelled_in_time(session.booking.starts_at, commitment_now.contract, now)
            upcoming.append(record)
        else:
            past.append(record)
    actions = [action for record in records for action in record.actions]
    return SessionsPage(
        commitment=commitment_now, upcoming=upcoming, past=past[::-1],
        open_actions=[a for a in actions if a.status == ActionItem.Status.OPEN],
        done_actions=sorted((a for a in actions if a.status == ActionItem.Status.DONE), key=lambda a: a.done_at, reverse=True),
    )


def reflections_for(engagement: Engagement, viewer: Participation) -> QuerySet[CoacheeReflection]:
    if not viewer.sees(Data.REFLECTIONS):
        return CoacheeReflection.objects.none()
    return CoacheeReflection.objects.filter(engagement=engagement, author=viewer.user)


def private_notes_of(session: CoachingSession, viewer) -> str:
    """The coach's private notes, for that coach alone; empty for anyone else (a Viewer, or a person)."""
    if not may_see(as_viewer(viewer), Data.PRIVATE_NOTES, session.engagement):
        return ""
    return encryption.decrypt(session.private_notes_ciphertext)


def signed_out_draft_of(session: CoachingSession, viewer: Viewer) -> dict | None:
    """What its coach typed into the log while signed out and has not saved since, or None (for
    anyone else: a draft holds private notes)."""
    if not may_see(viewer, Data.PRIVATE_NOTES, session.engagement):
        return None
    draft = LogDraft.objects.filter(session=session, author=viewer.user).first()
    if draft is None:
        return None
    return {"goals": draft.goals, "summary": draft.summary, "worked_on": draft.worked_on,
            "private_notes": encryption.decrypt(draft.private_notes_ciphertext), "kept_at": draft.updated_at}


def contract_in_force(engagement: Engagement) -> ContractVersion | None:
    """The accepted version, with its parties (pages and reports name them)."""
    return (
        ContractVersion.objects.filter(engagement=engagement, status=ContractVersion.Status.ACCEPTED)
        .select_related("coachee", "coach", "sponsor", "client_organisation").first()
    )


def cancelled_in_time(starts_at: datetime, contract: ContractVersion | None, now: datetime) -> bool:
    """The contract's rule: a session cancelled at least its notice before it starts is not counted."""
    notice = contract.cancellation_notice_hours if contract else 0
    return starts_at - now >= timedelta(hours=notice)


@dataclass
class Commitment:
    """The package as the contract states it, and how much of it is booked or used (`held`: the
    sessions the measurement rule counts)."""

    contract: ContractVersion | None
    used: int
    scheduled: int
    held: int

    @property
    def total(self) -> int:
        return self.contract.sessions if self.contract else 0

    @property
    def taken(self) -> int:
        return self.used + self.scheduled

    @property
    def left(self) -> int:
        return max(self.total - self.taken, 0)

    @property
    def next_number(self) -> int:
        return self.taken + 1

    @property
    def end_date(self) -> date | None:
        return self.contract.end_date if self.contract else None

    def describe(self) -> str:
        """As the issue words it: "Session 3 of 8, 5 left, ends 30 June 2027" — the next session, and
        how many the contract still holds after it."""
        if self.contract is None:
            return "No contract in force."
        return (
            f"Session {self.next_number} of {self.total}, {self.left - 1} left, ends {self.end_date.day} {self.end_date:%B %Y}"
            if self.left else f"All {self.total} sessions booked or used; ends {self.end_date.day} {self.end_date:%B %Y}"
        )


def session_counts(engagement_id: int) -> dict[str, int]:
    """{"used", "scheduled", "held"}: the one definition of each count, in one query. Used: the
    contract's rule (held, late cancellations, no-shows); held: what the on/off-track rule measures
    against."""
    return CoachingSession.objects.filter(engagement_id=engagement_id).aggregate(
        used=Count("pk", filter=Q(counts_as_used=True)),
        scheduled=Count("pk", filter=Q(attendance=Attendance.SCHEDULED)),
        held=Count("pk", filter=Q(attendance=Attendance.HELD)),
    )


def commitment(engagement: Engagement) -> Commitment:
    """The contract in force and the sessions counted against it: two queries, the counting done by
    the database."""
    return Commitment(contract=contract_in_force(engagement), **session_counts(engagement.pk))


def worked_on_topics() -> list[str]:
    """The practice's list; the default list until it is first saved (when the admin edits it or the
    demo is seeded), so a page that only shows it never writes it."""
    names = list(WorkedOnTopic.objects.filter(is_active=True).values_list("name", flat=True))
    if names or WorkedOnTopic.objects.exists():
        return names
    return list(DEFAULT_WORKED_ON_TOPICS)


def worked_on_choices(session: CoachingSession) -> list[str]:
    """The practice's list, plus entries the admin has since retired that this session ticked (the
    list's promise: retiring an entry keeps it on the sessions that ticked it, saved again or not)."""
    names = worked_on_topics()
    return names + [name for name in session.worked_on if name not in names]


# --- The coach's home page ------------------------------------------------------------------------


def coach_home(viewer: Viewer, now: datetime | None = None) -> dict:
    """What `viewer` coaches (as their coach, not as an admin) needs today: today's and this week's
    sessions, sessions not yet logged, overdue actions. Three queries (the coachees' list is read from
    the engagement summaries: measurement.summaries.selectors)."""
    mine = visible_engagements(viewer, Data.SESSION_DATES, acting_as=COACH).values("pk")
    now = now or timezone.now()
    today_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today_start + timedelta(days=1)
    week = list(
        CoachingSession.objects.filter(
            engagement__in=mine, booking__starts_at__gte=today_start,
            booking__starts_at__lt=today_start + timedelta(days=7), attendance=Attendance.SCHEDULED,
        ).select_related("booking", "engagement__coachee").order_by("booking__starts_at")
    )
    return {
        "sessions_today": [session for session in week if session.booking.starts_at < tomorrow],
        "sessions_this_week": [session for session in week if session.booking.starts_at >= tomorrow],
        "sessions_not_logged": list(
            CoachingSession.objects.filter(
                engagement__in=mine, booking__starts_at__lt=now, attendance=Attendance.SCHEDULED,
            ).select_related("booking", "engagement__coachee").order_by("booking__starts_at")[:50]
        ),
        "overdue_actions": list(
            ActionItem.objects.filter(
                engagement__in=mine, status=ActionItem.Status.OPEN, due_date__lt=timezone.localdate(now),
            ).select_related("engagement__coachee").order_by("due_date")[:50]
        ),
    }
