"""Data: where an engagement names one mailbox twice (case, dots and +tags aside: the stuffing of issue
22), every nominee after the first named is declined, so that 0006's unique index can be built; the
coachee sees them declined and the coach decides on the first. Row-Level Security binds the owner too
(FORCE), so each practice is set in turn. Reversing sets them back to awaiting the coach."""

from django.db import migrations

MAILBOX = (
    "(replace(split_part(regexp_replace(lower(email), '@[^@]*$', ''), '+', 1), '.', '') "
    "|| '@' || substring(lower(email) from '@([^@]*)$'))"
)

def _each_practice(sql: str) -> str:
    return f"""
DO $$
DECLARE practice bigint;
BEGIN
    FOR practice IN SELECT id FROM tenancy_practice LOOP
        PERFORM set_config('app.practice_id', practice::text, true);
        {sql}
    END LOOP;
    PERFORM set_config('app.practice_id', '', true);
END
$$;
"""


DECLINE_LATER_NAMED = _each_practice(f"""
        UPDATE measurement_nominee AS later SET approval = 'declined'
        WHERE later.purged_at IS NULL AND EXISTS (
            SELECT 1 FROM measurement_nominee AS earlier
            WHERE earlier.engagement_id = later.engagement_id AND earlier.purged_at IS NULL
              AND {MAILBOX.replace("email", "earlier.email")} = {MAILBOX.replace("email", "later.email")}
              AND (earlier.created_at, earlier.id) < (later.created_at, later.id)
        );""")

# Reversing: nominees named once per mailbox wait for the coach again (the unique index is gone by then).
AWAIT_AGAIN = _each_practice("UPDATE measurement_nominee SET approval = 'awaiting' WHERE approval = 'declined';")


class Migration(migrations.Migration):
    dependencies = [("measurement", "0004_nominee_approval"), ("tenancy", "0007_practice_lead_retention_months")]

    operations = [migrations.RunSQL(DECLINE_LATER_NAMED, reverse_sql=AWAIT_AGAIN)]
