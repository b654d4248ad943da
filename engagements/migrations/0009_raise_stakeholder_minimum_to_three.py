"""Data: every contract template and draft asking fewer than 3 responses of a stakeholder group asks 3
(issue 22: with 2, either one who knows their own answer reads the other's). Sent and accepted
versions keep the text their parties accepted (their hash must still verify); the results read them
at 3 (`ContractTerms.stakeholder_minimum`). Row-Level Security binds the owner too (FORCE), so each
practice is set in turn. Reversing leaves the raised minimums as they are: the old values are not kept,
and 3 is valid under the earlier rule as well."""

from django.db import migrations

RAISE = """
DO $$
DECLARE practice bigint;
BEGIN
    FOR practice IN SELECT id FROM tenancy_practice LOOP
        PERFORM set_config('app.practice_id', practice::text, true);
        UPDATE engagements_contracttemplate SET stakeholder_min_responses = 3 WHERE stakeholder_min_responses < 3;
        UPDATE engagements_contractversion SET stakeholder_min_responses = 3
            WHERE status = 'draft' AND stakeholder_min_responses < 3;
    END LOOP;
    PERFORM set_config('app.practice_id', '', true);
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("engagements", "0008_retention_purge")]

    operations = [migrations.RunSQL(RAISE, reverse_sql=migrations.RunSQL.noop)]
