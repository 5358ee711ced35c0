"""factory_boy factories for the accounts app: a user who can log in at once (password
`jixiao.core.testing.PASSWORD`, nothing to change) and, for the roles that need it, a
confirmed TOTP device."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.testing import PASSWORD
from jixiao.org.tests.factories import OrganizationFactory


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.UNIT
    organization = factory.SubFactory(OrganizationFactory)
    last_name = factory.SelfAttribute("username")
    must_change_password = False
    password_changed_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def second_factor(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and obj.requires_two_factor:
            TOTPDevice.objects.create(user=obj, name="test", confirmed=True)
