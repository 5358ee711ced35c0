"""Print the current second-factor codes of the demo accounts (demo machines only)."""

from __future__ import annotations

import base64
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from jixiao.accounts.demo import DEMO_LOGINS, demo_totp_key
from jixiao.accounts.models import User


class Command(BaseCommand):
    help = "Show the current TOTP codes of the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        printed = 0
        for login in DEMO_LOGINS:
            user = User.objects.filter(username=login.username).first()
            if user is None or not user.requires_two_factor:
                continue
            key = demo_totp_key(user.username)
            # Only devices still carrying the demo key: never print a real person's code.
            if not TOTPDevice.objects.filter(user=user, key=key, confirmed=True).exists():
                continue
            code = totp(bytes.fromhex(key))
            secret = base64.b32encode(bytes.fromhex(key)).decode()
            self.stdout.write(f"{user.username:<12} {code:06d}   密钥 {secret}")
            printed += 1
        if not printed:
            raise CommandError("没有使用演示密钥的账号。")
