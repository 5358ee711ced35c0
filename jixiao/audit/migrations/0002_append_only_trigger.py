"""On PostgreSQL the database itself refuses to change or remove audit rows.

Row triggers reject UPDATE and DELETE; a statement trigger rejects TRUNCATE. Even a
compromised application account cannot rewrite history without dropping the trigger,
which needs the schema owner. SQLite (the embedded default) relies on the model's
own refusal.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION jixiao_audit_append_only() RETURNS trigger AS $$
BEGIN
    -- TRUNCATE only for a session that declares test-database maintenance (the test
    -- runner's flush between transactional tests). UPDATE and DELETE: never.
    IF TG_OP = 'TRUNCATE' AND current_setting('jixiao.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION jixiao_audit_append_only();

CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION jixiao_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_auditevent_no_update_delete ON audit_auditevent;
DROP FUNCTION IF EXISTS jixiao_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
