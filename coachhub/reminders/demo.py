"""Demo reminders for seed_demo (idempotent)."""

from __future__ import annotations


def seed_reminders(people: dict) -> None:
    """Filled in with the reminders issue."""
