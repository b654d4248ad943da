"""The words of the scale seed: names, organisations and the journey's texts, picked in turn by index
so that every run writes the same practices. The demo's own texts (demo/journey.py,
demo/measurement.py) come first."""

from __future__ import annotations

from datetime import time

from demo.journey import COACHES, DEMO_LOGS
from demo.measurement import COMMENTS, RILEY_OBJECTIVES

FIRST_NAMES = [
    "Amelia", "Catherine", "Marcus", "Priya", "Daniel", "Sophie", "Riley", "Rachel", "Grace", "Henry", "Nina", "Tom",
    "Omar", "Laura", "Victor", "Aisha", "Ben", "Chloe", "David", "Elena", "Femi", "Hannah", "Isaac", "Jun",
    "Kofi", "Lena", "Mateo", "Noor", "Oliver", "Paula", "Quentin", "Rosa", "Samir", "Tara", "Uma", "Yusuf",
    "Zoe", "Arjun", "Beatriz", "Callum", "Dara", "Emeka", "Freya", "Gabriel", "Hiro", "Ines", "Jonas",
]
SURNAMES = [
    "Hart", "Doyle", "Reid", "Nair", "Okafor", "Lin", "Morgan", "Green", "Miller", "Walsh", "Patel", "Becker",
    "Haddad", "Chen", "Stone", "Khan", "Adams", "Brooks", "Costa", "Dubois", "Evans", "Fischer", "Garcia",
    "Hughes", "Ibrahim", "Jensen", "Kowalski", "Lopez", "Murphy", "Novak", "O'Brien", "Price", "Quinn", "Rossi",
    "Santos", "Tanaka", "Usman", "Varga", "Wright", "Young", "Zhang", "Ahmed", "Bianchi", "Carter", "Dias",
]
PRACTICE_NAMES = [
    "Northwind Coaching", "Harbour Leadership", "Summit Partners", "Clearwater Coaching", "Beacon Leadership",
    "Meridian Coaching", "Oakridge Leadership", "Lighthouse Coaching", "Keystone Partners", "Evergreen Coaching",
]
ORGANISATIONS = [
    "Initech Ltd", "Umbrella Corp", "Hooli", "Globodyne", "Stark Industries", "Wayne Enterprises", "Soylent plc",
    "Cyberdyne Systems", "Vandelay Industries", "Wonka Foods", "Tyrell Group", "Massive Dynamic",
]
# A practice's zone, and its coaches' (most work in the practice's own zone, one in five elsewhere).
ZONES = ["Europe/London", "America/New_York", "Europe/Paris", "Asia/Singapore", "Australia/Sydney", "Europe/Berlin"]
BRAND_COLOURS = ["#1f5f8b", "#7a3e9d", "#2e7d32", "#b23c17", "#00695c", "#5d4037", "#283593", "#ad1457"]
# Meetings start at these local hours on weekdays: two hours apart, so a 90-minute session and
# its 15-minute buffer never overlap the next one (the booking exclusion constraint).
SLOT_HOURS = [time(9), time(11), time(13), time(15)]
MORE_SPECIALISMS = ["Resilience", "Strategy", "Executive presence", "Teams", "Influence", "Change"]

OBJECTIVES = [
    *RILEY_OBJECTIVES,
    {"description": "Delegate the weekly operations review to the two team leads.",
     "success_measure": "Leads run the review alone for four weeks in a row.", "baseline": 3, "target": 8},
    {"description": "Speak with confidence at board meetings.",
     "success_measure": "Board feedback after each meeting; fewer follow-up questions on the operations paper.",
     "baseline": 5, "target": 8},
    {"description": "Build trust quickly in the newly merged team.",
     "success_measure": "Team pulse survey: trust score up from 5 to 7.", "baseline": 4, "target": 7},
    {"description": "Raise problems early instead of absorbing them.",
     "success_measure": "Issues reach the weekly review before they become escalations.", "baseline": 3, "target": 7},
]
ENQUIRIES = [
    ("Step up from leading a team to leading the whole operations function.", "Delegate more, and be confident in board meetings."),
    ("Lead a newly merged team and build trust quickly.", "A team that raises problems early."),
    ("Let the team handle escalations; give senior stakeholders direct feedback.", "Time back for strategy."),
    ("Find my feet as a first-time manager of former peers.", "Clear expectations, and feedback given early."),
    ("Influence the executive team without formal authority.", "Proposals that land the first time."),
]

__all__ = [
    "BRAND_COLOURS", "COACHES", "COMMENTS", "DEMO_LOGS", "ENQUIRIES", "FIRST_NAMES", "MORE_SPECIALISMS", "OBJECTIVES",
    "ORGANISATIONS", "PRACTICE_NAMES", "SLOT_HOURS", "SURNAMES", "ZONES",
]


def person_name(number: int) -> str:
    """A full name for the `number`th person: first names in turn, surnames striding through theirs."""
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    return f"{first} {SURNAMES[(number * 7 + number // len(FIRST_NAMES)) % len(SURNAMES)]}"
