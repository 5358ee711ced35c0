"""The structure token and its triggers (collection/structure.py says why).

Every write to the tables a department's slots are built from sets a new random token in
the same transaction, however it is made: a page, an import, a bulk update, the admin or
plain SQL. PostgreSQL fires once per statement, before it: a transaction takes the token's
row lock before any row of these tables, so two that write the same rows queue instead of
deadlocking. SQLite, which has only row triggers and one writer, fires once per row.

A migration that makes Django rebuild one of these tables on SQLite (it copies the table,
which drops its triggers) must create them again: `collection/tests/test_structure.py`
fails until it does.
"""

from django.db import migrations, models

TABLES = (
    "org_organization",
    "org_unitcategory",
    "org_unitenrollment",
    "scheme_scheme",
    "scheme_indicator",
    "scheme_indicatorpoints",
    "scheme_indicator_units",
)
NEW_TOKEN = {
    # Random rather than a counter: a rolled-back change's token never comes back.
    "postgresql": "UPDATE collection_structuretoken SET token = floor(random() * 9e18)::bigint",
    "sqlite": "UPDATE collection_structuretoken SET token = random()",
}


def _postgresql() -> list[str]:
    statements = [
        f"""CREATE OR REPLACE FUNCTION jixiao_new_structure_token() RETURNS trigger AS $$
        BEGIN
            {NEW_TOKEN["postgresql"]};
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql"""
    ]
    for table in TABLES:
        statements.append(
            f"CREATE TRIGGER {table}_structure_token "
            f"BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION jixiao_new_structure_token()"
        )
    return statements


def _sqlite() -> list[str]:
    return [
        f"CREATE TRIGGER {table}_structure_token_{op.lower()} AFTER {op} ON {table} "
        f"BEGIN {NEW_TOKEN['sqlite']}; END"
        for table in TABLES
        for op in ("INSERT", "UPDATE", "DELETE")
    ]


def forward(apps, schema_editor):
    apps.get_model("collection", "StructureToken").objects.create(pk=1, token=0)
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": _postgresql, "sqlite": _sqlite}.get(vendor, list)():
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_structure_token ON {table}")
        elif vendor == "sqlite":
            for op in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_structure_token_{op}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS jixiao_new_structure_token()")


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0006_plain_uniqueness_messages"),
        ("org", "0004_plain_uniqueness_messages"),
        ("scheme", "0004_plain_uniqueness_messages"),
    ]

    operations = [
        migrations.CreateModel(
            name="StructureToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "采集结构版本", "verbose_name_plural": "采集结构版本"},
        ),
        migrations.RunPython(forward, backward),
    ]
