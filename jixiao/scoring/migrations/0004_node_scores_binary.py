"""Node scores become a binary vector (`jixiao.scoring.fields.NodeScoresField`).

PostgreSQL: the column changes type in place (ALTER … TYPE bytea USING its JSON text):
existing rows keep their exact JSON text, which the field still reads (first byte
``[``). ALTER TABLE fires no row trigger, so published (frozen) results are converted
without being "updated". SQLite: the table is rebuilt by Django, copying the JSON text.
New rows are written as int32/int64 vectors.

Backwards, every encoding is turned back into JSON (PostgreSQL: a temporary function in
the USING clause; SQLite: decoded in Python before the table is rebuilt).
"""

from django.db import migrations

import jixiao.scoring.fields

PG_FORWARD = (
    "ALTER TABLE scoring_unitresult ALTER COLUMN scores TYPE bytea "
    "USING convert_to(scores::text, 'UTF8')"
)

PG_BACKWARD = """
CREATE FUNCTION pg_temp.jixiao_scores_json(b bytea) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    width int;
    v numeric;
    vals numeric[] := '{}';
BEGIN
    IF b IS NULL THEN RETURN NULL; END IF;
    IF length(b) = 0 THEN RETURN '[]'::jsonb; END IF;
    width := get_byte(b, 0);
    IF width = 91 THEN RETURN convert_from(b, 'UTF8')::jsonb; END IF;
    FOR i IN 0 .. (length(b) - 1) / width - 1 LOOP
        v := 0;
        FOR j IN REVERSE width - 1 .. 0 LOOP
            v := v * 256 + get_byte(b, 1 + i * width + j);
        END LOOP;
        IF v >= round(2::numeric ^ (8 * width - 1), 0) THEN
            v := v - round(2::numeric ^ (8 * width), 0);
        END IF;
        vals := vals || v;
    END LOOP;
    RETURN to_jsonb(vals);
END $$;
ALTER TABLE scoring_unitresult ALTER COLUMN scores TYPE jsonb
    USING pg_temp.jixiao_scores_json(scores);
DROP FUNCTION pg_temp.jixiao_scores_json(bytea);
"""


class AlterScoresToBinary(migrations.AlterField):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(PG_FORWARD)
        else:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(PG_BACKWARD)
            return
        import json

        from jixiao.scoring.fields import decode_scores

        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT id, scores FROM scoring_unitresult")
            rows = cursor.fetchall()
            cursor.executemany(
                "UPDATE scoring_unitresult SET scores = %s WHERE id = %s",
                [(json.dumps(decode_scores(raw)), pk) for pk, raw in rows],
            )
        super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0003_run_category_patches")]

    operations = [
        AlterScoresToBinary(
            model_name="unitresult",
            name="scores",
            field=jixiao.scoring.fields.NodeScoresField(default=list, verbose_name="各指标得分"),
        ),
    ]
