"""Once a point closes, nothing stored joins a stakeholder's answer to its nominee. The test plays the
joiner: reading the database as the application does, it tries every table and column the role can
read (found in the catalogue, so a table added later is tried too) — by foreign key, by time, by
transaction id (`xmin`, `xmax`), by id order and by who was chased — and learns nothing.

Transactional: each answer commits in its own transaction, as in production, so that transaction ids
and times differ between answers as they would for a real joiner."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.db import connection
from django.utils import timezone

from coachhub.tenancy.context import practice_context
from measurement.models import Nominee, StakeholderResponse
from measurement.services.closing import close_point
from measurement.stakeholders.results import WITHHELD
from reminders import stakeholders as nominee_emails
from tests.conftest import make_practice
from tests.measurement.conftest import after_grace
from tests.stakeholders.conftest import answer, due_point, name, stakeholder_engagement

pytestmark = pytest.mark.django_db(transaction=True)

NOMINEE_TABLE = Nominee._meta.db_table
ANSWER_TABLES = ("measurement_stakeholderresponse", "measurement_stakeholderscore")
# An ISO 8601 moment as row_to_json writes timestamps (and as JSON audit details would hold them).
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}(?::?\d{2})?)?")


@dataclass
class Answered:
    """An answer as given, with the moments and transaction ids just before and just after it: any
    time or transaction id between them was the answer's (only this test writes to its database)."""

    nominee: Nominee
    comment: str
    started: datetime
    ended: datetime
    first_xid: int
    last_xid: int


def _rows(table: str) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT xmin::text, xmax::text, ctid::text, row_to_json(t)::text FROM "{table}" AS t')
        return [
            {"xmin": xmin, "xmax": xmax, "place": tuple(int(n) for n in ctid.strip("()").split(",")), "row": json.loads(row)}
            for xmin, xmax, ctid, row in cursor.fetchall()
        ]


def _xid() -> int:
    """A transaction id of its own (the test runs in autocommit), as `xmin`/`xmax` show them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current() % 4294967296")
        return cursor.fetchone()[0]


def _given(cast, point, nominee, score, comment) -> Answered:
    started, first_xid = timezone.now(), _xid()
    assert answer(cast, point, nominee, score, comment).status_code == 200
    return Answered(nominee, comment, started, timezone.now(), first_xid, _xid())


def _readable_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
              AND has_table_privilege(current_user, c.oid, 'SELECT')
            ORDER BY c.relname
        """)
        return [table for (table,) in cursor.fetchall()]


def _columns_referencing(table: str) -> list[tuple[str, str]]:
    """(table, column) of every single-column foreign key that points at `table`."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'f' AND c.confrelid = %s::regclass AND array_length(c.conkey, 1) = 1
        """, [table])
        return [(referrer.strip('"'), column) for referrer, column in cursor.fetchall()]


def _moments(value) -> list[datetime]:
    found = []
    for text in MOMENT.findall(json.dumps(value)):
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        found.append(moment if moment.tzinfo else moment.replace(tzinfo=dt_timezone.utc))
    return found


@pytest.fixture
def closed_point():
    """acme's mid-point: 4 peers and 3 direct reports named, invited; five answer (one changes their
    answer, a comment is never shown anywhere), two are chased and never answer; then the coach closes
    it. Returns the cast, the point, the answers as given (the truth the joiner looks for), who
    answered, and the nominees."""
    acme = make_practice("acme", "Acme Coaching")
    engagement = stakeholder_engagement(acme)
    peers = name(acme, engagement, "Peers", 4)
    reports = name(acme, engagement, "Direct reports", 3)
    point = due_point(acme, engagement)
    nominee_emails.dispatch_nominee_messages(practice=acme.practice)
    # Answered in an order that is neither the nominees' nor the answers' content order.
    given = [
        _given(acme, point, nominee, score, comment) for nominee, score, comment in [
            (reports[2], 4, "zz never shown: works late"), (peers[1], 9, ""), (peers[3], 2, "mm too harsh in reviews"),
            (reports[0], 7, "aa listens more"), (peers[0], 5, ""),
        ]
    ]
    chased_at = point.fell_due_at + nominee_emails.FIRST_REMINDER_AFTER + timedelta(minutes=1)
    assert nominee_emails.dispatch_nominee_messages(practice=acme.practice, now=chased_at).sent == 2
    given.append(_given(acme, point, peers[1], 8, ""))  # changed, while still open
    with practice_context(acme.practice):
        close_point(point=point, actor=engagement.coach, now=after_grace(acme, point))
    answered = {a.nominee.pk for a in given}
    return acme, point, given, answered, peers + reports


def test_no_answer_names_its_nominee_after_the_close_and_each_keeps_the_group_it_is_shown_in(closed_point):
    acme, point, _, _, _ = closed_point
    with practice_context(acme.practice):
        for table, column in _columns_referencing(NOMINEE_TABLE):
            if table in ANSWER_TABLES:
                assert all(row["row"][column] is None for row in _rows(table)), (table, column)
        groups = Counter(StakeholderResponse.objects.filter(point=point).values_list("group", flat=True))
    # Two direct reports alone are shown nowhere ("Other stakeholders" needs two groups): filed under none.
    assert groups == {"Peers": 3, WITHHELD: 2}


def test_no_stored_time_falls_within_an_answer(closed_point):
    """Every timestamp in every row of every readable table (columns, JSON, text) is compared with
    the moments the answers were given: none is one of them."""
    acme, _, given, _, _ = closed_point
    with practice_context(acme.practice):
        for table in _readable_tables():
            for row in _rows(table):
                for moment in _moments(row["row"]):
                    hit = [a.nominee.name for a in given if a.started <= moment <= a.ended]
                    assert not hit, f"{table} keeps {moment}, when {hit} answered: {row['row']}"


def test_no_row_was_written_or_locked_by_an_answer(closed_point):
    """`xmin` (the transaction that wrote a row) and `xmax` (the last that locked it) of every readable
    row: none is a transaction of an answer (its own, or a subtransaction within it)."""
    acme, _, given, _, _ = closed_point
    with practice_context(acme.practice):
        for table in _readable_tables():
            for row in _rows(table):
                for xid in (int(row["xmin"]), int(row["xmax"])):
                    hit = [a.nominee.name for a in given if a.first_xid < xid < a.last_xid]
                    assert not hit, f"{table} row was written or locked when {hit} answered: {row}"


def test_the_answers_differ_in_nothing_but_their_content(closed_point):
    """Same times and same transaction for all; ids, and places on disk (`ctid`), in the order of their
    content, not of answering."""
    acme, point, given, _, _ = closed_point
    with practice_context(acme.practice):
        responses = [row for row in _rows("measurement_stakeholderresponse") if row["row"]["point_id"] == point.pk]
        scores = [row for row in _rows("measurement_stakeholderscore")]
        assert len(responses) == 5
        assert len({row["xmin"] for row in responses + scores}) == 1
        assert len({(row["row"]["created_at"], row["row"]["updated_at"]) for row in responses + scores}) == 1
        by_id = [(row["row"]["group"], row["row"]["comment"]) for row in sorted(responses, key=lambda r: r["row"]["id"])]
        assert by_id == sorted(by_id)
        assert sorted(responses, key=lambda r: r["place"]) == sorted(responses, key=lambda r: r["row"]["id"])
        latest = {a.nominee.pk: a for a in given}.values()
        assert by_id != [(a.nominee.group, a.comment) for a in latest]


def test_who_was_chased_and_who_answered_cannot_be_told_apart(closed_point):
    """Every row that refers to a nominee (found by foreign key), and the nominee's own row but for
    who they are: the same for those who answered as for those who did not."""
    acme, _, _, answered, nominees = closed_point
    identity = {"id", "name", "email", "group", "link_secret", "created_at"}
    with practice_context(acme.practice):
        traces: dict[int, Counter] = {nominee.pk: Counter() for nominee in nominees}
        for table, column in _columns_referencing(NOMINEE_TABLE):
            for row in _rows(table):
                if row["row"][column] in traces:
                    rest = {k: v for k, v in row["row"].items() if k not in {"id", column}}
                    traces[row["row"][column]][(table, json.dumps(rest, sort_keys=True))] += 1
        for row in _rows(NOMINEE_TABLE):
            if row["row"]["id"] in traces:
                rest = {k: v for k, v in row["row"].items() if k not in identity}
                traces[row["row"]["id"]][(NOMINEE_TABLE, json.dumps(rest, sort_keys=True), row["xmin"])] += 1
    kinds = {frozenset(trace.items()) for pk, trace in traces.items()}
    assert len(kinds) == 1, {pk in answered: dict(trace) for pk, trace in traces.items()}
    assert 0 < len(answered) < len(nominees)
