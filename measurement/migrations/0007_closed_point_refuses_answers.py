"""A closed measurement point refuses answers in the database itself, whoever writes (the app's
service refuses first, with a message for the nominee). Its stakeholder answers and their scores
cannot be inserted or changed once the point is closed; they can be deleted, and a response's comment
can be erased (retention), nothing else. The point's row is read FOR SHARE, so an answer written
while the point is being closed waits for the close and then sees it closed.

Closing seals the answers (measurement/stakeholders/answers.py) while the point is still open."""

from django.db import migrations

CLOSED_POINT_REFUSES_ANSWERS = """
CREATE FUNCTION measurement_point_is_closed(point bigint) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    closed timestamptz;
BEGIN
    SELECT closed_at INTO closed FROM measurement_measurementpoint WHERE id = point FOR SHARE;
    RETURN closed IS NOT NULL;
END
$$;

CREATE FUNCTION measurement_stakeholder_response_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    erasable text[] := ARRAY['comment', 'updated_at'];
BEGIN
    IF TG_OP = 'UPDATE' AND measurement_point_is_closed(OLD.point_id) THEN
        -- Retention may erase a comment of a closed point; nothing else about the answer changes.
        IF NEW.comment = '' AND (to_jsonb(NEW) - erasable) = (to_jsonb(OLD) - erasable) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'measurement point % is closed: its stakeholder answers cannot change', OLD.point_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF measurement_point_is_closed(NEW.point_id) THEN
        RAISE EXCEPTION 'measurement point % is closed: it takes no more stakeholder answers', NEW.point_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER stakeholder_response_point_open BEFORE INSERT OR UPDATE ON measurement_stakeholderresponse
    FOR EACH ROW EXECUTE FUNCTION measurement_stakeholder_response_open();

CREATE FUNCTION measurement_stakeholder_score_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    point bigint;
BEGIN
    FOR point IN
        SELECT point_id FROM measurement_stakeholderresponse
        WHERE id = NEW.response_id OR (TG_OP = 'UPDATE' AND id = OLD.response_id)
    LOOP
        IF measurement_point_is_closed(point) THEN
            RAISE EXCEPTION 'measurement point % is closed: its stakeholder scores cannot change', point
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;
CREATE TRIGGER stakeholder_score_point_open BEFORE INSERT OR UPDATE ON measurement_stakeholderscore
    FOR EACH ROW EXECUTE FUNCTION measurement_stakeholder_score_open();
"""

DROP_CLOSED_POINT_REFUSES_ANSWERS = """
DROP TRIGGER stakeholder_score_point_open ON measurement_stakeholderscore;
DROP FUNCTION measurement_stakeholder_score_open();
DROP TRIGGER stakeholder_response_point_open ON measurement_stakeholderresponse;
DROP FUNCTION measurement_stakeholder_response_open();
DROP FUNCTION measurement_point_is_closed(bigint);
"""


class Migration(migrations.Migration):

    dependencies = [
        ("measurement", "0006_nominee_mailbox_once_per_engagement"),
    ]

    operations = [
        migrations.RunSQL(CLOSED_POINT_REFUSES_ANSWERS, DROP_CLOSED_POINT_REFUSES_ANSWERS),
    ]
