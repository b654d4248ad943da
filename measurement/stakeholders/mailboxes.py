"""The mailbox an address delivers to, as far as the common providers read it: case does not matter,
a `+tag` in the local part is dropped, and so are dots in it. `Coachee.Three+lm1@Example.com` and
`coacheethree@example.com` reach one person, so they are one nominee (issue 22: a coachee must not
name themselves, or the same fake person twice, through variants of one mailbox).

`mailbox()` is the rule; `Mailbox` is the same rule in SQL, for the database's unique index
(tests/stakeholders/test_mailboxes.py checks the two agree)."""

from __future__ import annotations

from django.db.models import Func, TextField


def mailbox(email: str) -> str:
    local, at, domain = (email or "").strip().lower().rpartition("@")
    if not at:
        return domain
    return local.split("+", 1)[0].replace(".", "") + "@" + domain


class Mailbox(Func):
    """`mailbox()` in PostgreSQL (immutable, so it can be indexed): lower-case, then the local part up
    to its first `+`, without dots, and the domain from the last `@`."""

    template = (
        "(replace(split_part(regexp_replace(lower(%(expressions)s), '@[^@]*$', ''), '+', 1), '.', '') "
        "|| '@' || substring(lower(%(expressions)s) from '@([^@]*)$'))"
    )
    output_field = TextField()
