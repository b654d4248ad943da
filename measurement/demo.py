"""Demo measurement data for seed_demo (idempotent)."""

from __future__ import annotations


def seed_measurement(people: dict) -> None:
    """Filled in with the measurement issue."""
