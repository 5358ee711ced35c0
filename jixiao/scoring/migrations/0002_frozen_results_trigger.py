"""On PostgreSQL the database itself keeps published results frozen.

* scoring_unitresult / scoring_runcategory: UPDATE and DELETE of a row whose run is
  published or superseded are refused.
* scoring_scorerun: a published or superseded run cannot be deleted, cannot go back to
  "computed", and cannot change its number, year or input fingerprint (publication
  attributes — status, audience, who/when published — may move).

TRUNCATE (the test runner's flush) fires no row trigger. The bulk input snapshot is
stored uncompressed (STORAGE EXTERNAL): it is already compact binary, and skipping
pglz keeps the full recompute fast.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION jixiao_scoring_frozen_child() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM scoring_scorerun r WHERE r.id = OLD.run_id
               AND r.status IN ('published', 'superseded')) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = TG_TABLE_NAME || ': results of a published run are frozen ('
                      || TG_OP || ' refused)';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION jixiao_scoring_frozen_run() RETURNS trigger AS $$
BEGIN
    IF OLD.status IN ('published', 'superseded') THEN
        IF TG_OP = 'DELETE' OR NEW.status = 'computed' OR NEW.number <> OLD.number
           OR NEW.year_id <> OLD.year_id OR NEW.fingerprint <> OLD.fingerprint THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = 'scoring_scorerun: a published run is frozen (' || TG_OP || ' refused)';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER scoring_unitresult_frozen BEFORE UPDATE OR DELETE ON scoring_unitresult
    FOR EACH ROW EXECUTE FUNCTION jixiao_scoring_frozen_child();
CREATE TRIGGER scoring_runcategory_frozen BEFORE UPDATE OR DELETE ON scoring_runcategory
    FOR EACH ROW EXECUTE FUNCTION jixiao_scoring_frozen_child();
CREATE TRIGGER scoring_scorerun_frozen BEFORE UPDATE OR DELETE ON scoring_scorerun
    FOR EACH ROW EXECUTE FUNCTION jixiao_scoring_frozen_run();
ALTER TABLE scoring_runcategory ALTER COLUMN data SET STORAGE EXTERNAL;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS scoring_scorerun_frozen ON scoring_scorerun;
DROP TRIGGER IF EXISTS scoring_runcategory_frozen ON scoring_runcategory;
DROP TRIGGER IF EXISTS scoring_unitresult_frozen ON scoring_unitresult;
DROP FUNCTION IF EXISTS jixiao_scoring_frozen_run();
DROP FUNCTION IF EXISTS jixiao_scoring_frozen_child();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
