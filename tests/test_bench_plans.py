"""The pages bench at scale explains each page's queries (bench/plans.py) and notes a sequential scan
on a tenant table with its plan."""

import pytest
from django.test import Client

from bench import plans

pytestmark = pytest.mark.django_db

SEQ_SCAN_PLAN = {
    "Node Type": "Nested Loop",
    "Plans": [
        {"Node Type": "Seq Scan", "Relation Name": "tenancy_practice"},  # a platform table: never noted
        {"Node Type": "Hash", "Plans": [{"Node Type": "Seq Scan", "Relation Name": "roster_booking"}]},
    ],
}


def lines_of(explained) -> list[str]:
    said = []
    plans.report(said.append, "page", explained)
    return said


def test_sequential_scans_on_tenant_tables_are_found_anywhere_in_the_plan():
    assert plans._seq_scans(SEQ_SCAN_PLAN, plans._tenant_tables()) == {"roster_booking"}


def test_the_slowest_query_is_noted_with_its_plan_when_it_scans_a_tenant_table():
    slowest = plans.Explained(sql="SELECT 1", milliseconds=9.5, sequential_scans=("roster_booking",),
                              plan="Seq Scan on roster_booking\n  Filter: (kind = 'coaching')")
    other = plans.Explained(sql="SELECT 2", milliseconds=0.5, sequential_scans=("tenancy_membership",), plan="")
    said = lines_of([slowest, other])
    assert said[0].startswith("page: slowest query (9.50 ms of 2) reads tenant table(s) roster_booking sequentially")
    assert "  Seq Scan on roster_booking" in said and "    Filter: (kind = 'coaching')" in said
    assert any("1 other query read tenant tables sequentially (tenancy_membership)" in line for line in said)


def test_queries_explained_in_the_practice_slowest_first(acme):
    explained = plans.explain_all(acme.practice, [
        "SELECT * FROM tenancy_membership WHERE role = 'coach'", "SELECT * FROM tenancy_practice",
    ])
    assert len(explained) == 2 and explained[0].milliseconds >= explained[1].milliseconds
    assert all(item.plan for item in explained)
    said = lines_of(explained)
    assert "no sequential scan on a tenant table" in said[0]  # the practice's rows are found by index


def test_the_page_queries_are_its_selects(acme):
    statements = plans.page_queries(Client(), "/coaches/", acme.host)
    assert statements and all(sql.lstrip().upper().startswith("SELECT") for sql in statements)
    assert not any("set_config(" in sql for sql in statements)
