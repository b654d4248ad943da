"""Rows for PostgreSQL's COPY, built in memory: one `Table` per model, ids handed out by `Ids`.

COPY's text format, from the model's own fields: every column the model has, in its order, filled
from what the caller gives (by attribute name: `coach_id`, not `coach`) or else from the field's
default. COPY applies no Django defaults, so a NOT NULL field given nothing, without a default and not
blank is an error here, not a NULL refused later by PostgreSQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from io import StringIO

from django.contrib.postgres.fields import ArrayField, DateTimeRangeField
from django.db import models

from coachhub.tenancy.models import PracticeOwnedModel

# COPY's text format: backslash, tab, newline and carriage return are escaped; \N is NULL.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_TO_ESCAPE = re.compile(r"[\\\t\n\r]")
NULL = "\\N"


def _text(value) -> str:
    text = str(value)
    return text.translate(_ESCAPES) if _TO_ESCAPE.search(text) else text


def _array(values) -> str:
    items = ",".join('"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"' for item in values)
    return ("{" + items + "}").translate(_ESCAPES)


def _formatter(field: models.Field) -> Callable[[object], str]:
    """How one field's value is written in COPY's text format (None is NULL, handled by the caller)."""
    if isinstance(field, models.BooleanField):
        return lambda value: "t" if value else "f"
    if isinstance(field, (models.DateTimeField, models.DateField, models.TimeField)):
        return lambda value: value.isoformat()
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value).translate(_ESCAPES)
    if isinstance(field, ArrayField):
        return _array
    if isinstance(field, DateTimeRangeField):
        return lambda value: f"[{value[0].isoformat()},{value[1].isoformat()})"
    if isinstance(field, (models.IntegerField, models.ForeignKey, models.AutoField)):
        return str
    return _text


class Ids:
    """Primary keys taken from each table's own sequence, a block at a time, so rows can name each
    other (foreign keys) before any of them is written. Runs on the owner's cursor: one
    `setval(nextval + n - 1)` per block reserves n ids; an unused rest of a block is a harmless gap."""

    BLOCK = 5000

    def __init__(self, cursor):
        self.cursor = cursor
        self.blocks: dict[str, tuple[int, int]] = {}

    def take(self, table: str) -> int:
        following, last = self.blocks.get(table, (1, 0))
        if following > last:
            self.cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [table, table, self.BLOCK],
            )
            last = self.cursor.fetchone()[0]
            following = last - self.BLOCK + 1
        self.blocks[table] = (following + 1, last)
        return following


class Table:
    """A model's rows in COPY's text format, with the columns in the model's order."""

    def __init__(self, model: type[models.Model], ids: Ids, *, now: datetime):
        self.model = model
        self.name = model._meta.db_table
        self.is_tenant = issubclass(model, PracticeOwnedModel)
        self.ids = ids
        fields = list(model._meta.concrete_fields)
        self.columns = [field.column for field in fields]
        self.attnames = [field.attname for field in fields]
        self.formatters = [_formatter(field) for field in fields]
        # Per column: (attname, its cell when not given or None, a callable default, the formatter).
        self.plan: list[tuple[str, str | None, Callable | None, Callable]] = []
        for field, formatter in zip(fields, self.formatters, strict=True):
            fixed, call = None, None
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                fixed = formatter(now)
            elif field.has_default() and callable(field.default):
                call = field.default
            elif field.has_default():
                default = field.get_default()
                fixed = NULL if default is None else formatter(default)
            elif field.null or field.primary_key:
                fixed = NULL
            elif field.blank and field.empty_strings_allowed:
                fixed = ""  # what Django writes for a blank text field left unset
            self.plan.append((field.attname, fixed, call, formatter))
        self.known = frozenset(self.attnames)
        self.has_id = "id" in self.known
        self.lines: list[str] = []

    def _unset(self, attname: str, call: Callable | None, formatter: Callable) -> str:
        if call is None:
            raise ValueError(f"{self.name}.{attname} needs a value (NOT NULL, no default).")
        value = call()
        return NULL if value is None else formatter(value)

    def add(self, **values) -> int | None:
        """Append one row; returns its id (taken from the sequence unless given)."""
        if self.has_id and values.get("id") is None:
            values["id"] = self.ids.take(self.name)
        if not self.known.issuperset(values):
            raise ValueError(f"{self.name} has no column for {', '.join(set(values) - self.known)}.")
        self.lines.append("\t".join([
            (NULL if (value := values[attname]) is None else formatter(value)) if attname in values
            else fixed if fixed is not None else self._unset(attname, call, formatter)
            for attname, fixed, call, formatter in self.plan
        ]))
        return values.get("id")

    def __len__(self) -> int:
        return len(self.lines)

    def copy_into(self, cursor) -> int:
        """COPY the rows in, then drop them from memory. Returns how many were copied."""
        if not self.lines:
            return 0
        count = len(self.lines)
        columns = ", ".join(f'"{column}"' for column in self.columns)
        statement, data = f'COPY "{self.name}" ({columns}) FROM STDIN', "\n".join(self.lines) + "\n"
        self.lines = []
        if hasattr(cursor, "copy_expert"):  # psycopg2
            cursor.copy_expert(statement, StringIO(data), len(data))  # size: one read
        else:  # psycopg 3
            with cursor.copy(statement) as copy:
                copy.write(data)
        return count
