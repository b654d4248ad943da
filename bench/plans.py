"""A page's slowest query, explained: `make bench BENCH=pages SCALE=N` notes each page's slowest query
and its plan when it reads a tenant table sequentially (an index missing for a filter shows there
first, once the tables are large).

The page is requested once in-process, cold (the bench's own caches emptied first, so every query
a cold page runs is seen), its SELECTs captured, and each explained with EXPLAIN ANALYZE in the
practice's context, as the page ran them (Row-Level Security included), inside a transaction that
is rolled back."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bench import BenchError

EXPLAINABLE = re.compile(r"^\s*SELECT\b", re.IGNORECASE)
SHOWN_SQL = 600  # characters of the query shown beside its plan


@dataclass(frozen=True)
class Explained:
    sql: str
    milliseconds: float
    sequential_scans: tuple[str, ...]  # tenant tables read with a Seq Scan
    plan: str  # EXPLAIN's text form (costs, no ANALYZE)


def empty_bench_caches(redis_url: str) -> list[str]:
    """Empty the caches that live in the bench's Redis database (and only those): the aliases emptied."""
    from django.conf import settings
    from django.core.cache import caches

    emptied = []
    for alias in settings.CACHES:
        if settings.CACHES[alias].get("LOCATION") == redis_url:
            caches[alias].clear()
            emptied.append(alias)
    return emptied


def _tenant_tables() -> frozenset[str]:
    from django.apps import apps

    from coachhub.tenancy.models import PracticeOwnedModel

    return frozenset(model._meta.db_table for model in apps.get_models() if issubclass(model, PracticeOwnedModel))


def _seq_scans(plan: dict, tables: frozenset[str]) -> set[str]:
    found = set()
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in tables:
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", ()):
        found |= _seq_scans(child, tables)
    return found


def page_queries(client, path: str, host: str) -> list[str]:
    """The SELECTs one GET of `path` runs (the whole request), as sent to PostgreSQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, HTTP_HOST=host)
    if response.status_code != 200:
        raise BenchError(f"GET {path} answered {response.status_code} in-process, not 200.")
    return [query["sql"] for query in captured.captured_queries if EXPLAINABLE.match(query["sql"])
            and "set_config(" not in query["sql"]]


def explain_all(practice, statements: list[str]) -> list[Explained]:
    """Each statement explained in the practice's context, slowest first."""
    from django.db import connection, transaction

    from coachhub.tenancy.context import practice_context

    tables, explained = _tenant_tables(), []
    with transaction.atomic(), practice_context(practice), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            result = cursor.fetchone()[0][0]
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(line for (line,) in cursor.fetchall())
            explained.append(Explained(
                sql=sql, milliseconds=result["Execution Time"] + result.get("Planning Time", 0.0),
                sequential_scans=tuple(sorted(_seq_scans(result["Plan"], tables))), plan=plan,
            ))
        transaction.set_rollback(True)
    return sorted(explained, key=lambda item: item.milliseconds, reverse=True)


def report(say, name: str, explained: list[Explained]) -> None:
    """`# ` lines: the slowest query, with its plan when it scans a tenant table sequentially, and
    how many other queries of the page do."""
    if not explained:
        say(f"{name}: no SELECT to explain")
        return
    slowest, others = explained[0], [item for item in explained[1:] if item.sequential_scans]
    if slowest.sequential_scans:
        say(f"{name}: slowest query ({slowest.milliseconds:.2f} ms of {len(explained)}) reads tenant table(s) "
            f"{', '.join(slowest.sequential_scans)} sequentially:")
        say("  " + slowest.sql[:SHOWN_SQL] + ("…" if len(slowest.sql) > SHOWN_SQL else ""))
        for line in slowest.plan.splitlines():
            say("  " + line)
    else:
        say(f"{name}: slowest query {slowest.milliseconds:.2f} ms of {len(explained)}, no sequential scan on a tenant table")
    if others:
        tables = sorted({table for item in others for table in item.sequential_scans})
        say(f"{name}: {len(others)} other quer{'y' if len(others) == 1 else 'ies'} read tenant tables sequentially "
            f"({', '.join(tables)})")
        for item in others:
            say(f"  {item.milliseconds:.2f} ms: {item.sql[:SHOWN_SQL]}")
