"""What records does when something happens to a person below it. Subscribed (coachhub/tenancy/events.py)
by RecordsConfig.ready(); each runs in the publishing service's transaction."""

from __future__ import annotations

from coachhub.accounts.events import PersonRenamed
from coachhub.tenancy.events import subscribe
from records import tasks


@subscribe(PersonRenamed)
def person_renamed(event: PersonRenamed) -> None:
    """Stored PDFs are named by a hash of what they show, the names included, so from the commit on
    every download renders afresh with the new name: nothing stale is served. The old files are
    deleted by a worker after the commit, so a coach with many engagements saves their name at once."""
    tasks.forget_pdfs_naming.delay_on_commit(user_id=event.user_id)
