"""One mailbox, however written: case, dots and +tags in the local part aside; the rule in Python and
its twin in SQL (the database's unique index) agree."""

from __future__ import annotations

import pytest
from django.db import connection

from measurement.stakeholders.mailboxes import Mailbox, mailbox

SAME = [
    ("Coachee.Three+lm1@Example.com", "coacheethree@example.com"),
    ("coachee3+a+b@acme.example", "coachee3@acme.example"),
    ("  J.O.Smith@Client.EXAMPLE ", "josmith@client.example"),
    ("plain@client.example", "plain@client.example"),
    ("first.last+news@sub.client.example", "firstlast@sub.client.example"),
]


@pytest.mark.parametrize(("email", "expected"), SAME)
def test_variants_of_one_mailbox_read_as_one(email, expected):
    assert mailbox(email) == expected


def test_dots_and_tags_in_the_domain_are_kept():
    assert mailbox("pat@client.example") != mailbox("pat@clientexample.com")
    assert mailbox("pat@mail.client.example") == "pat@mail.client.example"


def test_different_people_stay_different():
    assert mailbox("pat+x@client.example") != mailbox("pam+x@client.example")


@pytest.mark.django_db
@pytest.mark.parametrize(("email", "expected"), [(email.strip(), expected) for email, expected in SAME])
def test_the_database_reads_a_mailbox_as_python_does(email, expected):
    sql = Mailbox.template % {"expressions": "email"}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql} FROM (SELECT %s::text AS email) AS given", [email])
        assert cursor.fetchone()[0] == expected == mailbox(email)
