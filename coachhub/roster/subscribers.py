"""What the roster does when something happens to a person (coachhub/accounts/events.py). Subscribed
(coachhub/tenancy/events.py) by RosterConfig.ready(); each runs in the publishing service's transaction."""

from __future__ import annotations

from django.utils import timezone

from coachhub.accounts.events import PersonErased
from coachhub.roster.services import forget_erased_coach
from coachhub.tenancy.events import subscribe


@subscribe(PersonErased)
def person_erased(event: PersonErased) -> None:
    forget_erased_coach(user_id=event.user_id, now=timezone.now())
