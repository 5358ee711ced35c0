"""Build the demo district. Deterministic and re-runnable.

Each app may contribute demo data through `<app>/demo.py:build_demo(district)`; they
run in INSTALLED_APPS order after the organizations and accounts exist.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from jixiao.accounts import demo as accounts_demo
from jixiao.accounts.models import User
from jixiao.audit.context import acting_as
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.org import demo as org_demo


class Command(BaseCommand):
    help = "Build the demo district (idempotent) and print one login per role."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if organizations exist."
        )
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from jixiao.org.models import Organization

        if not (options["if_empty"] and Organization.objects.exists()):
            with transaction.atomic():
                district = org_demo.build()
                accounts_demo.build()
                office = User.objects.get(username="office")
                with acting_as(office):
                    record(
                        AuditAction.IMPORT,
                        object_type="org.organization",
                        object_repr="示范区演示数据",
                        reason="manage.py load_demo 初始化演示数据",
                    )
                    for config in apps.get_app_configs():
                        if not config.name.startswith("jixiao.") or config.label in (
                            "org",
                            "accounts",
                        ):
                            continue
                        try:
                            module = import_module(f"{config.name}.demo")
                        except ModuleNotFoundError:
                            continue
                        module.build_demo(district)
        if not options["quiet"]:
            self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"示范区演示账号（密码均为 {accounts_demo.DEMO_PASSWORD}）：")
        )
        for login in accounts_demo.DEMO_LOGINS:
            user = User.objects.select_related("organization").get(username=login.username)
            extra = "  需动态口令" if user.requires_two_factor else ""
            role = user.get_role_display()
            self.stdout.write(f"  {user.username:<12} {role:<8} {user.organization.name}{extra}")
        self.stdout.write(
            "动态口令：另开终端运行 `make totp` 查看当前 6 位数字，或把它打印的密钥导入手机认证器。"
        )
