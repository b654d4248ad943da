"""Writing scaled practices with PostgreSQL's COPY, as the tables' owner.

PostgreSQL refuses COPY FROM into a table whose Row-Level Security applies to the user, and every
tenant table has RLS enabled and FORCED (coachhub/tenancy/rls.py), which binds even the owner.
So each batch is one transaction on the owner's connection (the "owner" database alias,
DATABASE_OWNER_URL) that lifts FORCE from the tables it writes (the owner is then exempt), copies,
and puts FORCE back before it commits. DDL is transactional: if anything fails, the rollback
restores FORCE as well, and no practice of the batch is left half-written.

Row triggers fire on COPY as on INSERT: the contract triggers (engagements/migrations/0002_contracts.py)
take objectives only into a draft version and acceptances only into a sent one, so versions go in
as drafts, are sent, take their acceptances, and are then accepted — the transitions the
triggers allow. The audit trail's trigger guards only UPDATE and DELETE.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.core.management.base import CommandError
from django.db import connections, transaction

from demo.scale.practice import SLUG_PREFIX, seed_practice, slug
from demo.scale.rows import AFTER_ACCEPTING, ANSWERS, BEFORE_SENDING, MODELS, Rows
from demo.scale.tables import Ids

OWNER = "owner"
# One seed at a time (pg_advisory_xact_lock's key: "scale" in ASCII).
LOCK_KEY = 0x7363616C65


def tables() -> list[str]:
    """The tables the seed writes, in the order it copies them."""
    return [model._meta.db_table for model in MODELS]


def existing_numbers() -> set[int]:
    """The numbers of the scaled practices already there (scale-0001 → 1). Checks first that the
    owner's connection is the tables' owner."""
    with connections[OWNER].cursor() as cursor:
        _check_owner(cursor)
        cursor.execute("SELECT slug FROM tenancy_practice WHERE slug LIKE %s", [f"{SLUG_PREFIX}%"])
        return {int(found[len(SLUG_PREFIX):]) for (found,) in cursor.fetchall() if found[len(SLUG_PREFIX):].isdigit()}


def _check_owner(cursor) -> None:
    cursor.execute("SELECT tableowner = current_user FROM pg_tables WHERE tablename = 'engagements_engagement'")
    found = cursor.fetchone()
    if not found or not found[0]:
        raise CommandError(
            "seed_scale copies rows as the owner of the tables: DATABASE_OWNER_URL must name the role that "
            "migrated the database (only the owner may lift FORCE ROW LEVEL SECURITY for its COPY)."
        )


@contextmanager
def rls_lifted(cursor, names: list[str]) -> Iterator[None]:
    """Within the owner's open transaction: FORCE lifted from `names` for the block, then restored.
    On an error there is nothing to restore here: the transaction's rollback undoes the ALTERs."""
    for name in names:
        cursor.execute(f'ALTER TABLE "{name}" NO FORCE ROW LEVEL SECURITY')
    yield
    # The foreign keys are DEFERRABLE INITIALLY DEFERRED, and a table with checks still pending
    # cannot be altered: run them now (they check every copied row, as they would at COMMIT).
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name in names:
        cursor.execute(f'ALTER TABLE "{name}" FORCE ROW LEVEL SECURITY')


def seed(numbers: list[int], *, now: datetime, password_hash: str, batch: int,
         report: Callable[[list[int], dict[str, int]], None]) -> None:
    """Seed the practices `numbers`, `batch` at a time, one transaction each; `report(numbers,
    copied)` after each commit.

    The rows of the next batch are built (Python) while the current one is copied (PostgreSQL):
    a thread builds them, taking ids from the sequences on a second connection of the owner's
    (sequences are not transactional, so a batch that fails leaves only a gap in the ids)."""
    batches = [numbers[first:first + batch] for first in range(0, len(numbers), batch)]
    built: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    ids_connection = connections[OWNER].copy()
    ids_connection.inc_thread_sharing()

    def hand_over(item) -> None:
        while not stop.is_set():  # the writer stops taking when it fails
            try:
                built.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def build() -> None:
        try:
            with ids_connection.cursor() as cursor:
                for numbers in batches:
                    rows = Rows(Ids(cursor), now=now)
                    for number in numbers:
                        seed_practice(rows, number, now=now, password_hash=password_hash)
                    hand_over((numbers, rows))
        except Exception as error:  # noqa: BLE001 (handed over: the writer raises it)
            hand_over(error)

    builder = threading.Thread(target=build, name="seed_scale rows", daemon=True)
    builder.start()
    try:
        for _ in batches:
            item = built.get()
            if isinstance(item, BaseException):
                raise item
            numbers, rows = item
            report(numbers, _write(numbers, rows))
    finally:
        stop.set()
        builder.join()
        ids_connection.close()
        ids_connection.dec_thread_sharing()


def _write(numbers: list[int], rows: Rows) -> dict[str, int]:
    """One batch in one transaction as the owner. Returns the rows copied per table."""
    copied: dict[str, int] = {}
    with transaction.atomic(using=OWNER), connections[OWNER].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute("SELECT slug FROM tenancy_practice WHERE slug = ANY(%s)", [[slug(number) for number in numbers]])
        there = [found for (found,) in cursor.fetchall()]
        if there:
            raise CommandError(f"{', '.join(there)} appeared while seeding: is another seed_scale running?")

        def copy(models) -> None:
            for model in models:
                table = rows[model]
                copied[table.name] = table.copy_into(cursor)

        with rls_lifted(cursor, [table.name for table in rows.tables.values() if table.is_tenant]):
            copy(BEFORE_SENDING)
            cursor.execute("UPDATE engagements_contractversion SET status = 'sent' WHERE id = ANY(%s)", [rows.sent])
            copy(ANSWERS)
            cursor.execute(
                "UPDATE engagements_contractversion AS version SET status = 'accepted', accepted_at = accepted.at "
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS accepted(id, at) WHERE version.id = accepted.id",
                [[pk for pk, _ in rows.accepted], [at for _, at in rows.accepted]],
            )
            copy(AFTER_ACCEPTING)
    return copied


def analyze() -> None:
    """Fresh planner statistics for every table the seed wrote (as the owner: only the owner may)."""
    with connections[OWNER].cursor() as cursor:
        for name in tables():
            cursor.execute(f'ANALYZE "{name}"')
