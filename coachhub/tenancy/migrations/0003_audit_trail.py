"""The audit trail: where each entry came from, indexes for the audit page's filters, and the
database keeping it append-only. UPDATE and DELETE are refused unless they run as the table's
owner, which the app's role only does through two functions owned by it: the retention purge
of old sign-in records and the redaction of an erased person's name and email."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


APPEND_ONLY = """
CREATE FUNCTION tenancy_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON tenancy_auditentry
    FOR EACH ROW EXECUTE FUNCTION tenancy_audit_append_only();

-- Sign-in records go after 90 days (the retention purge), never sooner. Row-Level Security still
-- applies (FORCE), so only the current practice's rows are touched.
CREATE FUNCTION audit_purge_sign_ins() RETURNS TABLE (person bigint, purged bigint)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH gone AS (
        DELETE FROM tenancy_auditentry
         WHERE action = 'account.signed_in' AND created_at < now() - interval '90 days'
        RETURNING actor_id
    )
    SELECT actor_id, count(*) FROM gone GROUP BY actor_id
$$;

-- Erasure: an erased person's name or email, wherever the trail wrote it, becomes "Former coachee 17".
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

DROP_APPEND_ONLY = """
DROP FUNCTION audit_redact(text, text);
DROP FUNCTION audit_purge_sign_ins();
DROP TRIGGER audit_append_only ON tenancy_auditentry;
DROP FUNCTION tenancy_audit_append_only();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('tenancy', '0002_practice_session_and_measurement_settings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='ip_address',
            field=models.GenericIPAddressField(blank=True, help_text='Where the request came from.', null=True),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['practice', 'actor', '-created_at'], name='audit_practice_actor'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['practice', 'action'], name='audit_practice_action', opclasses=['int8_ops', 'varchar_pattern_ops']),
        ),
        migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY),
    ]
