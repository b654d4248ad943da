"""Demo data rights for seed_demo (idempotent): coachee2@ has asked to be erased, and the request waits on
each admin's list at /practice/data-requests/. Their contract is still being agreed, so the page says
why erasure must wait: the refusal an admin meets in real life."""

from __future__ import annotations

from records.models import ErasureRequest


def seed_records(people: dict) -> None:
    coachee2 = people["coachee2"]
    if not ErasureRequest.objects.filter(person=coachee2).exists():
        ErasureRequest.objects.create(person=coachee2, requested_by=coachee2)
