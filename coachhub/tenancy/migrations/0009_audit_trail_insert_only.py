"""The audit trail, insert-only for the application: `audit_redact` goes.

It was a SECURITY DEFINER function the app's role could call with any text, and it rewrote every
entry containing that text (acceptance hashes, addresses, other people's subjects with the same
name). Entries now name people by id (`people`, migration 0008) and erasure renames the account, so
nothing needs to rewrite an entry. The application role holds only SELECT and INSERT on the table,
as granted after every migrate (`coachhub.tenancy.database.grant_application_role`); the trigger of
0003 still refuses UPDATE and DELETE to anyone but the owner, whose one function the app may call is
the retention purge of old sign-in records.
"""

from django.db import migrations

# 0003's function, recreated when going back.
AUDIT_REDACT = """
CREATE FUNCTION audit_redact(needle text, replacement text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    json_needle text := btrim(to_jsonb(needle)::text, '"');
    json_replacement text := btrim(to_jsonb(replacement)::text, '"');
    redacted integer;
BEGIN
    IF length(needle) < 3 THEN
        RAISE EXCEPTION 'too short to redact: %', needle USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE tenancy_auditentry
       SET subject = left(replace(subject, needle, replacement), 200),
           details = replace(details::text, json_needle, json_replacement)::jsonb
     WHERE strpos(subject, needle) > 0 OR strpos(details::text, json_needle) > 0;
    GET DIAGNOSTICS redacted = ROW_COUNT;
    RETURN redacted;
END $$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('tenancy', '0008_auditentry_people'),
    ]

    operations = [
        migrations.RunSQL("DROP FUNCTION audit_redact(text, text);", AUDIT_REDACT),
    ]
