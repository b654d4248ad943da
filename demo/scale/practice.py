"""One scaled practice: its admin, 20 coaches with published profiles and weekly hours, 5 client
organisations each with a sponsor, 50 coachees, and the coachees' journeys (demo/scale/journey.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress

from coachhub.accounts.models import User
from coachhub.roster.models import CoachProfile, WeeklyHours
from coachhub.tenancy.models import ClientOrganisation, Membership, Practice, Role
from demo.scale import journey
from demo.scale.rows import CoachCalendar, Rows, Scope
from demo.scale.vocabulary import (
    BRAND_COLOURS,
    COACHES,
    MORE_SPECIALISMS,
    ORGANISATIONS,
    PRACTICE_NAMES,
    ZONES,
    person_name,
)
from engagements.models import ContractTemplate
from engagements.models.contracts import DEFAULT_SECTION_TEXTS, section_field
from sessions.models import DEFAULT_WORKED_ON_TOPICS, WorkedOnTopic

COACH_COUNT = 20
COACHEE_COUNT = 50
ORGANISATION_COUNT = 5
SLUG_PREFIX = "scale-"
BUFFER_MINUTES = 15


def slug(number: int) -> str:
    return f"{SLUG_PREFIX}{number:04d}"


def email(local_part: str, number: int) -> str:
    return f"{local_part}@{slug(number)}.example"


def _person(scope: Scope, local_part: str, number: int, full_name: str, *, zone: str = "") -> int:
    address = email(local_part, number)
    rows = scope.rows
    user_id = rows[User].add(
        email=address, full_name=full_name, password=scope.password_hash, time_zone=zone,
        date_joined=scope.now - timedelta(days=400),
    )
    rows[EmailAddress].add(user_id=user_id, email=address, verified=True, primary=True)
    scope.people[user_id] = (full_name, address)
    scope.zones[user_id] = zone or scope.zone
    return user_id


def _coach(scope: Scope, number: int, index: int) -> int:
    """coachNN@: a published profile in the demo's words, Mon–Fri 09:00–17:00 in their zone."""
    spec = COACHES[("coach", "coach2", "coach")[index % 3]]
    zone = scope.zone if index % 5 else ZONES[(number + index) % len(ZONES)]
    user_id = _person(scope, f"coach{index + 1:02d}", number, person_name(number * 100 + index), zone=zone)
    scope.add(Membership, user_id=user_id, role=Role.COACH)
    profile_id = scope.add(
        CoachProfile, user_id=user_id, photo="", headline=spec["headline"], bio=spec.get("bio", ""),
        approach=spec.get("approach", ""),
        specialisms=[*spec["specialisms"][:2], MORE_SPECIALISMS[(number + index) % len(MORE_SPECIALISMS)]],
        accreditations=spec.get("accreditations", []), languages=spec["languages"], time_zone=zone,
        video_link=f"https://meet.example.com/{slug(number)}-coach{index + 1:02d}",
        minimum_notice_hours=12, buffer_minutes=BUFFER_MINUTES, is_published=True,
    )
    for weekday in range(5):
        scope.add(WeeklyHours, coach_id=profile_id, weekday=weekday, starts_at=time(9), ends_at=time(17))
    scope.calendars[user_id] = CoachCalendar(user_id, zone, BUFFER_MINUTES)
    return user_id


def seed_practice(rows: Rows, number: int, *, now: datetime, password_hash: str) -> None:
    zone = ZONES[number % len(ZONES)]
    name = f"{PRACTICE_NAMES[number % len(PRACTICE_NAMES)]} {number:04d}"
    practice_id = rows[Practice].add(
        slug=slug(number), name=name, time_zone=zone, brand_colour=BRAND_COLOURS[number % len(BRAND_COLOURS)],
        logo="", created_at=now - timedelta(days=400),
    )
    scope = Scope(rows=rows, practice_id=practice_id, practice_name=name, zone=zone, now=now,
                  tolerance=Decimal("1.0"), password_hash=password_hash)
    admin = _person(scope, "admin", number, person_name(number * 100 + 75))
    scope.add(Membership, user_id=admin, role=Role.ADMIN)
    scope.add(ContractTemplate, **{section_field(key): text for key, text in DEFAULT_SECTION_TEXTS.items()})
    for position, topic in enumerate(DEFAULT_WORKED_ON_TOPICS):
        scope.add(WorkedOnTopic, name=topic, position=position)
    coaches = [_coach(scope, number, index) for index in range(COACH_COUNT)]
    organisations, sponsors = [], []
    for index in range(ORGANISATION_COUNT):
        organisation = scope.add(ClientOrganisation, name=ORGANISATIONS[(number + index) % len(ORGANISATIONS)])
        scope.organisations[organisation] = ORGANISATIONS[(number + index) % len(ORGANISATIONS)]
        sponsor = _person(scope, f"sponsor{index + 1}", number, person_name(number * 100 + 70 + index))
        scope.add(Membership, user_id=sponsor, role=Role.SPONSOR, client_organisation_id=organisation)
        organisations.append(organisation)
        sponsors.append(sponsor)
    for index in range(COACHEE_COUNT):
        coachee = _person(scope, f"coachee{index + 1:02d}", number, person_name(number * 100 + 20 + index))
        organisation, sponsor = organisations[index % ORGANISATION_COUNT], sponsors[index % ORGANISATION_COUNT]
        scope.add(Membership, user_id=coachee, role=Role.COACHEE, client_organisation_id=organisation)
        journey.seed_engagement(
            scope, index, coachee=coachee, coach=coaches[(index * 7) % COACH_COUNT],
            other_coach=coaches[(index * 7 + 3) % COACH_COUNT], organisation=organisation, sponsor=sponsor,
            variant=index + number,
        )
