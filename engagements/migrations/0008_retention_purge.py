"""The retention purge: when an engagement's records were purged (`purged_at`, on the engagement and on
each contract version), and the one way past a sent contract's immutability.

The triggers of 0002 keep a sent version, its objectives and its acceptances unchanged against the
app's role. They now let the tables' owner through, as the audit trail's trigger does, and the app's
role becomes the owner only inside `engagements_purge_contract_records`, a SECURITY DEFINER function
owned by it that does one thing: once the engagement's record-keeping period has ended (the database
checks it, from the completion time and the retention months of the last accepted version, against
its own clock), it deletes the acceptance records and empties the versions' text, the names frozen in
them and the objectives' wording, and moves them to the practice's anonymous coachee. Row-Level
Security still applies inside it (FORCE), so only the current practice's rows are touched.
"""

import django.core.validators
from django.conf import settings
from django.db import migrations, models

# 0002's trigger functions, with {owner_may_purge} where the owner is let through.
OWNER_MAY_PURGE = """
    -- The retention purge (engagements_purge_contract_records, run as the owner) and nothing else.
    IF current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
    END IF;"""

TRIGGER_FUNCTIONS = """
CREATE OR REPLACE FUNCTION engagements_contract_version_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mutable text[] := ARRAY['status', 'accepted_at', 'superseded_at', 'updated_at'];
BEGIN{owner_may_purge}
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'contract version % was sent and is kept for the record: it cannot be deleted', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.status <> OLD.status AND NOT (
           (OLD.status = 'draft' AND NEW.status = 'sent')
        OR (OLD.status = 'sent' AND NEW.status IN ('accepted', 'superseded'))
        OR (OLD.status = 'accepted' AND NEW.status = 'superseded')
    ) THEN
        RAISE EXCEPTION 'contract version % cannot go from % to %', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.status <> 'draft' THEN
        IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable)
           OR (OLD.accepted_at IS NOT NULL AND NEW.accepted_at IS DISTINCT FROM OLD.accepted_at) THEN
            RAISE EXCEPTION 'contract version % is % and cannot be edited: amend it as a new version', OLD.id, OLD.status
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION engagements_objective_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{owner_may_purge}
    IF TG_OP <> 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM engagements_contractversion WHERE id = OLD.version_id AND status = 'draft') THEN
            RAISE EXCEPTION 'the objectives of a contract version that was sent cannot change'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM engagements_contractversion WHERE id = NEW.version_id AND status = 'draft') THEN
            RAISE EXCEPTION 'the objectives of a contract version that was sent cannot change'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$;

CREATE OR REPLACE FUNCTION engagements_acceptance_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{owner_may_purge}
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'an acceptance is a record: it cannot be changed or deleted'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM engagements_contractversion WHERE id = NEW.version_id AND status = 'sent') THEN
        RAISE EXCEPTION 'only a contract version awaiting acceptance can be accepted'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
"""

PURGE_FUNCTION = """
CREATE FUNCTION engagements_purge_contract_records(purged_engagement bigint, anonymous_coachee bigint)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    kept_until timestamptz;
    purged integer;
BEGIN
    -- Months are added on the calendar in UTC, as engagements.retention.add_months does.
    SELECT (e.completed_at AT TIME ZONE 'UTC' + make_interval(months => v.retention_months)) AT TIME ZONE 'UTC'
      INTO kept_until
      FROM engagements_engagement e
      JOIN engagements_contractversion v ON v.engagement_id = e.id AND v.accepted_at IS NOT NULL
     WHERE e.id = purged_engagement AND e.completed_at IS NOT NULL
     ORDER BY v.accepted_at DESC
     LIMIT 1;
    IF kept_until IS NULL OR kept_until > now() THEN
        RAISE EXCEPTION 'engagement %: its record-keeping period has not ended, so its contract is kept', purged_engagement
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM accounts_user WHERE id = anonymous_coachee AND NOT is_active) THEN
        RAISE EXCEPTION 'a purged contract''s coachee must be an account that cannot sign in'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DELETE FROM engagements_acceptance
     WHERE version_id IN (SELECT id FROM engagements_contractversion WHERE engagement_id = purged_engagement);
    UPDATE engagements_objective
       SET description = 'Objective ' || position, success_measure = '(removed)', updated_at = now()
     WHERE version_id IN (SELECT id FROM engagements_contractversion WHERE engagement_id = purged_engagement);
    UPDATE engagements_contractversion
       SET coachee_id = anonymous_coachee, snapshot = '{}'::jsonb, rendered_text = '',
           section_objectives = '', section_roles = '', section_confidentiality = '', section_commitment = '',
           section_frequency = '', section_support_and_challenge = '', section_feedback = '',
           section_record_keeping = '', purged_at = now(), updated_at = now()
     WHERE engagement_id = purged_engagement AND purged_at IS NULL;
    GET DIAGNOSTICS purged = ROW_COUNT;
    RETURN purged;
END
$$;
"""

FORWARD_SQL = TRIGGER_FUNCTIONS.replace("{owner_may_purge}", OWNER_MAY_PURGE) + PURGE_FUNCTION
REVERSE_SQL = (
    "DROP FUNCTION engagements_purge_contract_records(bigint, bigint);\n"
    + TRIGGER_FUNCTIONS.replace("{owner_may_purge}", "")
)


class Migration(migrations.Migration):

    dependencies = [
        ('engagements', '0007_contract_stakeholder_baseline'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='engagement',
            name='purged_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='contractversion',
            name='purged_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='contracttemplate',
            name='retention_months',
            field=models.PositiveSmallIntegerField(default=24, help_text='After the engagement ends; then its records are purged, leaving anonymous counts and scores.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(120)], verbose_name='records kept for (months)'),
        ),
        migrations.AlterField(
            model_name='contractversion',
            name='retention_months',
            field=models.PositiveSmallIntegerField(default=24, help_text='After the engagement ends; then its records are purged, leaving anonymous counts and scores.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(120)], verbose_name='records kept for (months)'),
        ),
        migrations.RunSQL(FORWARD_SQL, REVERSE_SQL),
    ]
