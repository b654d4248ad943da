"""Demo data for trying CoachHub: two practices that share nothing, every role in each, and the
journey up to coaching sessions (demo/measurement.py and demo/reminders.py build on it).

Idempotent: running it again changes nothing that is already there.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from coachhub.accounts.models import User
from coachhub.roster.models import Booking, CoachProfile, WeeklyHours
from coachhub.tenancy.models import ClientOrganisation, Membership, Practice, Role
from engagements.contracting import answers, drafts
from engagements.models import ChemistryCall, ContractingSession, ContractVersion, Engagement
from sessions import encryption
from sessions.services.log import ensure_worked_on_topics
from sessions.models import ActionItem, Attendance, CoachingSession

DEMO_PASSWORD = "coachhub-demo"
PLATFORM_STAFF = "staff@coachhub.example"

PRACTICES = {
    "acme": {
        "name": "Acme Coaching", "time_zone": "Europe/London", "brand_colour": "#1f5f8b",
        "organisation": "Initech Ltd",
        "people": {
            "admin": ("Amelia Hart", [Role.ADMIN]),
            "coach": ("Catherine Doyle", [Role.COACH]),
            "coach2": ("Marcus Reid", [Role.COACH]),
            "coach3": ("Priya Nair", [Role.COACH]),
            "coachee": ("Daniel Okafor", [Role.COACHEE]),
            "coachee2": ("Sophie Lin", [Role.COACHEE]),
            "coachee3": ("Riley Morgan", [Role.COACHEE]),
            "sponsor": ("Rachel Green", [Role.SPONSOR]),
        },
    },
    "globex": {
        "name": "Globex Leadership", "time_zone": "America/New_York", "brand_colour": "#7a3e9d",
        "organisation": "Umbrella Corp",
        "people": {
            "admin": ("Grace Miller", [Role.ADMIN]),
            "coach": ("Henry Walsh", [Role.COACH]),
            "coach2": ("Nina Patel", [Role.COACH]),
            "coach3": ("Tom Becker", [Role.COACH]),
            "coachee": ("Omar Haddad", [Role.COACHEE]),
            "coachee2": ("Laura Chen", [Role.COACHEE]),
            "coachee3": ("Riley Brooks", [Role.COACHEE]),
            "sponsor": ("Victor Stone", [Role.SPONSOR]),
        },
    },
}


def demo_user(email: str, full_name: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name, **extra)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed_people(practice: Practice, spec: dict) -> dict:
    """The practice's client organisation and its people in their roles, by local part (admin, coach...)."""
    organisation, _ = ClientOrganisation.objects.get_or_create(name=spec["organisation"])
    people = {}
    for local_part, (full_name, roles) in spec["people"].items():
        user = people[local_part] = demo_user(f"{local_part}@{practice.slug}.example", full_name)
        for role in roles:
            is_client = role in (Role.SPONSOR, Role.COACHEE)
            Membership.objects.get_or_create(
                user=user, role=role,
                defaults={"client_organisation": organisation if is_client else None},
            )
    return people


COACHES = {
    "coach": {
        "time_zone": "Europe/London", "weekdays": range(5), "hours": (time(9), time(17)), "is_published": True,
        "headline": "Executive coach for leaders in change",
        "bio": "Former operations director; twelve years coaching senior leaders through growth, mergers and new roles.",
        "approach": "Warm, direct and practical. We agree what success looks like, then use each session to try "
                    "new ways of working and reflect on what changed.",
        "specialisms": ["Leadership transition", "Change", "Difficult conversations"],
        "accreditations": ["ICF PCC", "EMCC Senior Practitioner"], "languages": ["English", "French"],
    },
    "coach2": {
        "time_zone": "America/New_York", "weekdays": range(4), "hours": (time(10), time(16)), "is_published": True,
        "headline": "Coach for first-time managers and technical leaders",
        "bio": "Engineer turned coach. Helps technical experts lead people, influence without authority and delegate.",
        "approach": "Structured and curious: psychometrics (Strengthscope, Hogan) as a starting point, then real "
                    "situations from your week.",
        "specialisms": ["First-time managers", "Influence", "Psychometrics"],
        "accreditations": ["ICF ACC"], "languages": ["English", "Spanish"],
    },
    "coach3": {
        "time_zone": "Europe/London", "weekdays": range(5), "hours": (time(9), time(13)), "is_published": False,
        "headline": "Team and board coaching (profile being written)",
        "specialisms": ["Teams"], "languages": ["English"],
    },
}


def seed_roster(people: dict) -> None:
    """Published profiles with weekly hours for coach@ and coach2@, an unpublished one for coach3@."""
    for local_part, spec in COACHES.items():
        spec = dict(spec)
        weekdays, (opens, closes) = spec.pop("weekdays"), spec.pop("hours")
        if not people[local_part].time_zone:
            people[local_part].time_zone = spec["time_zone"]  # pages show their working zone
            people[local_part].save(update_fields=["time_zone"])
        profile, created = CoachProfile.objects.get_or_create(
            user=people[local_part],
            defaults={**spec, "video_link": f"https://meet.example.com/{local_part}-{people[local_part].pk}",
                      "minimum_notice_hours": 12, "buffer_minutes": 15},
        )
        if created:
            for weekday in weekdays:
                WeeklyHours.objects.create(coach=profile, weekday=weekday, starts_at=opens, ends_at=closes)


def _call(engagement: Engagement, coach, starts_at: datetime, **fields) -> ChemistryCall:
    profile = CoachProfile.objects.get(user=coach)
    ends_at = starts_at + timedelta(minutes=profile.chemistry_call_minutes)
    booking = Booking.objects.create(
        coach=coach, kind=Booking.Kind.CHEMISTRY_CALL, starts_at=starts_at, ends_at=ends_at,
        blocked=DateTimeTZRange(starts_at, ends_at + timedelta(minutes=profile.buffer_minutes), "[)"),
    )
    _, digest = ChemistryCall.new_manage_token()
    return ChemistryCall.objects.create(engagement=engagement, coach=coach, booking=booking, manage_token_digest=digest, **fields)


def next_weekday_at(zone_name: str, hour: int, days_ahead: int) -> datetime:
    """`hour` o'clock local time on a weekday at least `days_ahead` days from now."""
    zone = ZoneInfo(zone_name)
    day = (timezone.now().astimezone(zone) + timedelta(days=days_ahead)).date()
    while day.weekday() > 3:  # Monday to Thursday suit both demo coaches
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=zone)


def seed_chemistry_calls(people: dict) -> None:
    """coachee@: a past call with coach2@ (outcome recorded) and an upcoming one with coach@.
    coachee2@: matched with coach@, in contracting."""
    coach, coach2 = people["coach"], people["coach2"]
    now = timezone.now()
    if not Engagement.objects.filter(coachee=people["coachee"]).exists():
        enquiry = Engagement.objects.create(
            coachee=people["coachee"],
            objectives="Step up from leading a team to leading the whole operations function.",
            hopes="Delegate more, and be confident in board meetings.",
        )
        _call(enquiry, coach2, next_weekday_at("America/New_York", 11, -9), coach_outcome="yes",
              coach_notes="Shared how we would use Strengthscope and weekly experiments.",
              outcome_recorded_at=now - timedelta(days=8))
        _call(enquiry, coach, next_weekday_at("Europe/London", 10, 3))
    if not Engagement.objects.filter(coachee=people["coachee2"]).exists():
        engagement = Engagement.objects.create(
            coachee=people["coachee2"], objectives="Lead a newly merged team and build trust quickly.",
            hopes="A team that raises problems early.",
        )
        _call(engagement, coach, next_weekday_at("Europe/London", 14, -6), coach_outcome="yes",
              coach_notes="Agreed to start with stakeholder mapping.", outcome_recorded_at=now - timedelta(days=5))
        engagement.preferred_coach = coach
        engagement.coach = coach
        engagement.stage = Engagement.Stage.CONTRACTING
        engagement.matched_at = now - timedelta(days=5)
        engagement.save()


def contracting_session(engagement: Engagement, coach, starts_at: datetime) -> None:
    """A contracting session booked directly (the slot engine never offers the past)."""
    if ContractingSession.objects.filter(engagement=engagement).exists():
        return
    profile = CoachProfile.objects.get(user=coach)
    ends_at = starts_at + timedelta(minutes=ContractingSession.MINUTES)
    # A booking left without its session (the contract tables migrated away and back) is reused.
    booking = Booking.objects.filter(
        coach=coach, kind=Booking.Kind.CONTRACTING, starts_at=starts_at, is_active=True, contracting_session__isnull=True
    ).first() or Booking.objects.create(
        coach=coach, kind=Booking.Kind.CONTRACTING, starts_at=starts_at, ends_at=ends_at,
        blocked=DateTimeTZRange(starts_at, ends_at + timedelta(minutes=profile.buffer_minutes), "[)"),
    )
    ContractingSession.objects.create(engagement=engagement, booking=booking)


def _agreed_contract(engagement: Engagement, coach, sponsor, *, start, objectives: list[dict], changes: dict | None = None):
    """Draft, fill in and send a contract through the services (no emails: demo data)."""
    organisation = Membership.objects.get(user=sponsor, role=Role.SPONSOR).client_organisation
    version = drafts.draft_contract(engagement=engagement, actor=coach)
    drafts.update_contract_draft(
        version=version, actor=coach, objectives=objectives,
        changes={"sponsor": sponsor, "client_organisation": organisation, "start_date": start,
                 "end_date": start + timedelta(days=182), **(changes or {})},
    )
    return drafts.send_contract(version=version, actor=coach, base_url="", notify=False)


def seed_contracts(people: dict) -> None:
    """coachee2@: a contracting session booked, and a contract sent for acceptance by coachee,
    coach and sponsor (three-way), nobody has answered yet; it names peers and direct reports as
    stakeholders and asks them for a baseline round, which opens once all three accept. coachee@: a
    second engagement, with coach@, whose contract every party accepted (active)."""
    coach, sponsor = people["coach"], people["sponsor"]
    today = timezone.now().date()
    awaiting = Engagement.objects.filter(coachee=people["coachee2"], coach=coach, stage=Engagement.Stage.CONTRACTING).first()
    if awaiting is not None and not ContractVersion.objects.filter(engagement=awaiting).exists():
        contracting_session(awaiting, coach, next_weekday_at("Europe/London", 15, 4))
        _agreed_contract(awaiting, coach, sponsor, start=today + timedelta(days=14), objectives=[
            {"description": "Build trust quickly in the newly merged team.",
             "success_measure": "Team pulse survey: trust score up from 5 to 7.",
             "rated_by_coachee": True, "rated_by_coach": True, "rated_by_sponsor": True, "rated_by_stakeholders": True,
             "baseline": 4, "target": 7},
            {"description": "Raise problems early instead of absorbing them.",
             "success_measure": "Issues reach the weekly review before they become escalations.",
             "rated_by_coachee": True, "rated_by_coach": False, "rated_by_sponsor": True, "baseline": 3,
             "target": 7},
        ], changes={"stakeholder_groups": ["Peers", "Direct reports"], "stakeholder_baseline": True})
    if not Engagement.objects.filter(coachee=people["coachee"], coach=coach).exclude(stage=Engagement.Stage.CHEMISTRY).exists():
        now = timezone.now()
        engagement = Engagement.objects.create(
            coachee=people["coachee"], coach=coach, preferred_coach=coach, stage=Engagement.Stage.CONTRACTING,
            matched_at=now - timedelta(days=30),
            objectives="Lead the operations function, not just my own team.",
            hopes="Confidence in board meetings; a team that runs without me for a week.",
        )
        contracting_session(engagement, coach, next_weekday_at("Europe/London", 11, -24))
        version = _agreed_contract(engagement, coach, sponsor, start=today - timedelta(days=21), objectives=[
            {"description": "Delegate the weekly operations review to the two team leads.",
             "success_measure": "Leads run the review alone for four weeks in a row.",
             "rated_by_coachee": True, "rated_by_coach": True, "rated_by_sponsor": True, "rated_by_stakeholders": True,
             "baseline": 3, "target": 8},
            {"description": "Speak with confidence at board meetings.",
             "success_measure": "Board feedback after each meeting; fewer follow-up questions on the operations paper.",
             "rated_by_coachee": True, "rated_by_coach": True, "rated_by_sponsor": True, "rated_by_stakeholders": True,
             "baseline": 5, "target": 8},
        ], changes={"stakeholder_groups": ["Line manager", "Peers", "Direct reports"]})
        for party in (people["coachee"], coach, sponsor):
            answers.accept_contract(
                version=version, party=party, text_sha256=version.text_sha256, ip_address="192.0.2.10",
                base_url="", notify=False,
            )


DEMO_LOGS = [
    {"goals": "Plan how to hand the weekly operations review to the two team leads.",
     "worked_on": ["Accountability", "Timelines and timeframes"],
     "private_notes": "Private note: reluctant to let go of the review; explore what she fears would happen.",
     "summary": "Summary: we mapped the review's parts and chose the two the leads take first.",
     "actions": [("Brief both leads on the first two parts of the review", "coachee", True),
                 ("Send the delegation planning template", "coach", True)]},
    {"goals": "Prepare for the difficult conversation with the finance director.",
     "worked_on": ["Navigating a challenging situation or conversation", "Perceptual positions: shareholder"],
     "private_notes": "Private note: the finance director conflict echoes an earlier one; do not push yet.",
     "summary": "Summary: we rehearsed the opening and looked at the budget from the shareholders' side.",
     "actions": [("Hold the conversation with the finance director", "coachee", True),
                 ("Write down three board questions you dread", "coachee", False)]},
    {"goals": "Speak with more confidence at next month's board meeting.",
     "worked_on": ["360 feedback", "Thoughts and feelings that drive behaviours"],
     "private_notes": "Private note: energy much higher today; the 360 feedback landed well.",
     "summary": "Summary: the 360 shows the board values her operational grip; we drafted the opening minute.",
     "actions": [("Rehearse the board opening with a team lead", "coachee", False),
                 ("Share two articles on board presence", "coach", False)]},
]


def coaching_session(engagement: Engagement, number: int, starts_at: datetime, minutes: int):
    ends_at = starts_at + timedelta(minutes=minutes)
    booking = Booking.objects.create(
        coach=engagement.coach, kind=Booking.Kind.COACHING, starts_at=starts_at, ends_at=ends_at,
        blocked=DateTimeTZRange(starts_at, ends_at, "[)"),
    )
    return CoachingSession.objects.create(engagement=engagement, booking=booking, number=number)


def seed_sessions(people: dict) -> None:
    """coachee@'s active engagement with coach@: three past sessions logged (goals, worked-on items,
    a private note, a shared summary, actions some done) and two upcoming sessions."""
    engagement = Engagement.objects.filter(
        coachee=people["coachee"], coach=people["coach"], stage=Engagement.Stage.ACTIVE
    ).first()
    if engagement is None or CoachingSession.objects.filter(engagement=engagement).exists():
        return
    ensure_worked_on_topics()
    minutes = engagement.contract_versions.get(status="accepted").session_minutes
    now = timezone.now()
    for number, (days, log) in enumerate(zip((-20, -13, -6), DEMO_LOGS, strict=True), start=1):
        starts_at = next_weekday_at("Europe/London", 9, days)
        session = coaching_session(engagement, number, starts_at, minutes)
        session.goals, session.worked_on, session.summary = log["goals"], log["worked_on"], log["summary"]
        session.private_notes_ciphertext = encryption.encrypt(log["private_notes"])
        session.attendance, session.version = Attendance.HELD, 1
        session.logged_at = session.last_saved_at = starts_at + timedelta(hours=2)
        session.save()
        for text, owner, done in log["actions"]:
            ActionItem.objects.create(
                session=session, engagement=engagement, text=text, owner=owner,
                due_date=(starts_at + timedelta(days=7)).date(),
                status=ActionItem.Status.DONE if done else ActionItem.Status.OPEN, done_at=now if done else None,
            )
    for number, days in ((4, 7), (5, 21)):
        coaching_session(engagement, number, next_weekday_at("Europe/London", 9, days), minutes)
