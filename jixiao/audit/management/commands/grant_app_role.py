"""Grant the application's PostgreSQL role what it needs, and nothing over the audit trail.

Production runs two roles: the owner, which runs `migrate` (and so owns every table and
the audit trigger), and the application role the app servers connect as. The owner of
a table can disable its triggers or truncate it, so the app must never connect as the
owner. This command, run as the owner after every `migrate`, gives the application role
read and write on the tables, but only SELECT and INSERT on the audit table: it cannot
update, delete, truncate, disable the trigger or drop it (a PostgreSQL test proves it).

    python manage.py grant_app_role jixiao_app          # apply (as the owner)
    python manage.py grant_app_role jixiao_app --print  # only show the SQL
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from jixiao.audit.models import AuditEvent


def grant_statements(role: str, schema: str) -> list[str]:
    audit = AuditEvent._meta.db_table
    return [
        f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
        f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
        # The audit trail is append-only for the application, whatever it was given before.
        f'REVOKE ALL ON "{schema}"."{audit}" FROM "{role}"',
        f'GRANT SELECT, INSERT ON "{schema}"."{audit}" TO "{role}"',
    ]


class Command(BaseCommand):
    help = "Grant the application database role its privileges (PostgreSQL; run as the owner)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the role the app servers connect as")
        parser.add_argument("--print", action="store_true", help="print the SQL, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        role: str = options["role"]
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
            raise CommandError("角色名只能包含小写字母、数字和下划线。")
        if connection.vendor != "postgresql":
            raise CommandError("此命令只适用于 PostgreSQL。")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema(), current_user")
            schema, owner = cursor.fetchone()
        if role == owner:
            raise CommandError("应用角色不能是表的所有者（运行 migrate 的角色）。")
        statements = grant_statements(role, schema)
        if options["print"]:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"已为 {role} 授权（审计表仅可查询和新增）。")
