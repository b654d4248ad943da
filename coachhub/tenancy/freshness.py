"""Generations: what lets per-request look-ups and whole pages be cached without going stale.

Each practice has a generation, and so has the platform (people, practices, domains): random
tokens in Redis. Every statement that writes through Django's database connections, in a web
request, a Celery task or a command, replaces the generation it touches (the current
practice's for a tenant table, the platform's for the shared tables), once when the statement
runs (lazily: before this thread next reads a generation) and again when its transaction commits. Cached values carry the generations they were
computed under, so any write makes them unreachable: nothing needs to know which cache entries
a write affects, and a `QuerySet.update()` or raw SQL counts as much as `save()`.

Writes no cached page or look-up reads (IGNORED_TABLES, IGNORED_COLUMNS: sessions, the audit
trail, outboxes, two-factor records, a sign-in's last_login) renew nothing. Writes that bypass
Django's connections (psql, COPY) must call `touch_platform()` themselves.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.apps import apps
from django.core.cache import caches
from django.db import transaction

from coachhub.tenancy.context import current_practice

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Not scoped by the current practice (unlike "default"): the same key from any context.
SHARED_CACHE = "shared"
PLATFORM = "platform"
# Tables whose writes show on no cached page and in no cached look-up: sessions, the audit trail
# (its page is never cached), the workers' outboxes, stored exports and two-factor records (each
# use stamps them). A cached page that starts reading one must take it out of here
# (tests/tenancy/test_page_cache.py checks what they read).
IGNORED_TABLES = frozenset({
    "django_session", "tenancy_auditentry", "reminders_reminder", "reminders_nomineemessage", "records_dataexport",
    "mfa_authenticator",
})
# Columns no cached page or look-up shows: an UPDATE that sets only these renews nothing. Signing
# in stamps last_login; as a write to people it would renew the platform's generation, and so every
# practice's cached pages, at each sign-in.
IGNORED_COLUMNS = {"accounts_user": frozenset({"last_login"})}
_SET = re.compile(r'\sSET\s+(.*?)(?:\s+WHERE\s|$)', re.IGNORECASE | re.DOTALL)
_ASSIGNED = re.compile(r'"(\w+)"\s*=')
# A write, perhaps after statements that only set transaction-local settings (context.execute_alone).
_WRITE = re.compile(
    r'^\s*(?:(?:SELECT\s+set_config\([^;]*\)|SET\s+LOCAL\s[^;]*);\s*)*'
    r'(INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE|COPY|CREATE|ALTER|DROP)\s+"?(\w+)',
    re.IGNORECASE,
)

# A request's generations, read once (PracticeMiddleware starts and ends the memo).
_memo: ContextVar[dict[str, str] | None] = ContextVar("generations_memo", default=None)
_tenant_tables: frozenset[str] | None = None
# Scopes this thread wrote since it last read a generation.
_written = threading.local()


def _scope(practice_id: int | None) -> str:
    return PLATFORM if practice_id is None else f"p{practice_id}"


def _key(scope: str) -> str:
    return f"generation:{scope}"


def generations(practice_id: int | None) -> tuple[str, str]:
    """The platform's generation and the practice's (the platform's twice without one)."""
    for scope in getattr(_written, "scopes", set()):
        _touch(scope)
    _written.scopes = set()
    scopes = [PLATFORM, _scope(practice_id)]
    memo = _memo.get()
    known = memo if memo is not None else {}
    missing = list(dict.fromkeys(scope for scope in scopes if scope not in known))
    if missing:
        cache = caches[SHARED_CACHE]
        found = cache.get_many([_key(scope) for scope in missing])
        for scope in missing:
            value = found.get(_key(scope))
            if value is None:
                cache.add(_key(scope), secrets.token_hex(8), timeout=None)
                value = cache.get(_key(scope)) or secrets.token_hex(8)
            known[scope] = value
    return known[scopes[0]], known[scopes[1]]


def start_request() -> object:
    return _memo.set({})


def end_request(token: object) -> None:
    _memo.reset(token)


def _touch(scope: str) -> None:
    try:
        caches[SHARED_CACHE].set(_key(scope), secrets.token_hex(8), timeout=None)
    except Exception:  # Redis away: its cached entries are unreachable to us anyway.
        logger.warning("Could not renew the %s generation", scope, exc_info=True)
    memo = _memo.get()
    if memo is not None:
        memo.pop(scope, None)


def touch_platform() -> None:
    _touch(PLATFORM)


def touch_practice(practice_id: int) -> None:
    _touch(_scope(practice_id))


def _is_tenant_table(table: str) -> bool:
    global _tenant_tables
    if _tenant_tables is None:
        _tenant_tables = frozenset(
            model._meta.db_table
            for model in apps.get_models()
            if any(field.name == "practice" for field in model._meta.concrete_fields)
        )
    return table in _tenant_tables


def _sets_only_ignored_columns(table: str, sql: str) -> bool:
    ignored = IGNORED_COLUMNS.get(table)
    assignments = _SET.search(sql) if ignored else None
    columns = set(_ASSIGNED.findall(assignments.group(1))) if assignments else set()
    return bool(columns) and columns <= ignored


def _touched_scope(sql: str) -> str | None:
    match = _WRITE.match(sql)
    if match is None:
        return None
    verb, table = match.group(1).split()[0].upper(), match.group(2)
    if table in IGNORED_TABLES or (verb == "UPDATE" and _sets_only_ignored_columns(table, sql)):
        return None
    practice = current_practice()
    if verb in ("INSERT", "UPDATE", "DELETE") and _is_tenant_table(table) and practice is not None:
        return _scope(practice.pk)
    return PLATFORM


class _TouchOnCommit:
    def __init__(self, scope: str):
        self.scope = scope

    def __call__(self) -> None:
        _touch(self.scope)


def record_writes(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict) -> Any:
    """Database execute wrapper (installed on every connection): renews what a write touches,
    before this thread reads a generation again (its own later reads, and tests, whose
    transaction never commits) and when the transaction commits (everyone else's reads)."""
    scope = _touched_scope(sql) if isinstance(sql, str) else None
    result = execute(sql, params, many, context)
    if scope is not None:
        if not hasattr(_written, "scopes"):
            _written.scopes = set()
        _written.scopes.add(scope)
        connection = context["connection"]
        if connection.in_atomic_block:
            # One per scope and transaction; one registered inside a savepoint that may still
            # roll back does not count.
            open_savepoints = set(connection.savepoint_ids)
            if not any(
                getattr(func, "scope", None) == scope and sids <= open_savepoints
                for sids, func, _ in connection.run_on_commit
            ):
                transaction.on_commit(_TouchOnCommit(scope), using=connection.alias, robust=True)
        else:
            _touch(scope)
    return result


def install(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: watch this connection's writes."""
    if record_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(record_writes)


def cached(key: str, compute: Callable[[], T], *, practice_id: int | None, timeout: int = 300) -> T:
    """`compute()`, cached under `key` for as long as nothing is written in the practice (or on
    the platform). Falls back to computing when Redis does not answer."""
    cache = caches[SHARED_CACHE]
    try:
        full_key = f"{key}:{_scope(practice_id)}:{':'.join(generations(practice_id))}"
        value = cache.get(full_key)
    except Exception:
        logger.warning("Cache unavailable for %s", key, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(full_key, value, timeout)
        except Exception:
            logger.warning("Could not cache %s", key, exc_info=True)
    return value
