"""The current practice: one context for requests, Celery tasks and management commands.

`practice_context(practice)` does two things together, always:
- sets a context variable that `PracticeScopedManager` reads, so the ORM puts the practice in
  every WHERE clause (the planner and a sharded PostgreSQL need it there);
- sets `app.practice_id` with `set_config(..., true)` inside a transaction, which the
  Row-Level Security policies read. Being transaction-local, it vanishes at COMMIT/ROLLBACK,
  so a persistent or pooled connection never carries one request's practice into the next.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.db import connection, transaction

if TYPE_CHECKING:
    from coachhub.tenancy.models import Practice

RLS_SETTING = "app.practice_id"

_current_practice: ContextVar[Practice | None] = ContextVar("current_practice", default=None)


class NoPracticeContext(RuntimeError):
    """Raised when tenant-owned data is written outside any practice's context."""


def current_practice() -> Practice | None:
    return _current_practice.get()


def require_practice() -> Practice:
    practice = _current_practice.get()
    if practice is None:
        raise NoPracticeContext("This needs a current practice (request host, task or command).")
    return practice


def _set_database_practice(practice_id: int | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true)",
            [RLS_SETTING, "" if practice_id is None else str(practice_id)],
        )


@contextmanager
def practice_context(practice: Practice | None) -> Iterator[Practice | None]:
    """Run the block as `practice` (None: as the platform, which sees no tenant rows).

    Opens a transaction (a savepoint when one is already open) so that the database setting
    is transaction-local; nesting restores the outer practice on the way out.
    """
    outer = _current_practice.get()
    nested = connection.in_atomic_block
    token = _current_practice.set(practice)
    try:
        with transaction.atomic():
            _set_database_practice(practice.pk if practice else None)
            try:
                yield practice
            finally:
                # Inside an outer transaction the setting would outlive this block: hand the
                # outer block its own practice back.
                if nested and outer is not practice and not connection.needs_rollback:
                    _set_database_practice(outer.pk if outer else None)
    finally:
        _current_practice.reset(token)


def execute_alone(practice: Practice, sql: str, params: Sequence = (), *, wait_for_disk: bool = True) -> int:
    """Run one statement as `practice` in a transaction of its own, in one round trip; its row count.

    The same as one statement inside `practice_context(practice)`, which takes four round trips
    (BEGIN, the setting, the statement, COMMIT): here the setting and the statement go as one query
    string, which PostgreSQL runs as one implicit transaction, committed when the string ends, so
    the setting is still transaction-local. `wait_for_disk=False` commits without waiting for the
    write-ahead log to reach the disk (SET LOCAL: never for the connection, pooled or not). Inside
    a transaction already open it runs in it, as `practice_context` does, and commits with it.
    """
    if connection.in_atomic_block:
        with practice_context(practice), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount
    prefix = "SELECT set_config(%s, %s, true); " + ("" if wait_for_disk else "SET LOCAL synchronous_commit = off; ")
    token = _current_practice.set(practice)  # as in practice_context, for what reads the current practice
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, [RLS_SETTING, str(practice.pk), *params])
            return cursor.rowcount
    finally:
        _current_practice.reset(token)


def practice_cache_key(key: str, key_prefix: str, version: int) -> str:
    """Cache key function: every entry is namespaced by the current practice."""
    practice = _current_practice.get()
    scope = f"p{practice.pk}" if practice else "platform"
    return f"{key_prefix}:{scope}:{version}:{key}"
