"""factory_boy factories for the org app: organizations, years, categories, enrollments.

Organizations, years and categories are looked up by their natural key first, so a
test may ask for "FGJ" or 2026 twice and get the same row (as the personas do)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from jixiao.org.models import (
    AssessmentYear,
    Organization,
    OrganizationKind,
    UnitCategory,
    UnitEnrollment,
)


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ORG{n:03d}")
    name = factory.LazyAttribute(lambda o: f"单位{o.code}")
    kind = OrganizationKind.AGENCY


class AssessedUnitFactory(OrganizationFactory):
    """A street (街道) that is assessed."""

    kind = OrganizationKind.STREET
    name = factory.LazyAttribute(lambda o: f"街道{o.code}")
    is_assessed_unit = True


class AssessmentYearFactory(DjangoModelFactory[AssessmentYear]):
    class Meta:
        model = AssessmentYear
        django_get_or_create = ("year",)

    year = 2026
    name = factory.LazyAttribute(lambda o: f"{o.year} 年度")
    is_current = factory.LazyAttribute(lambda o: o.year == 2026)


class UnitCategoryFactory(DjangoModelFactory[UnitCategory]):
    class Meta:
        model = UnitCategory
        django_get_or_create = ("year", "code")

    year = factory.SubFactory(AssessmentYearFactory)
    code = "JD"
    name = factory.LazyAttribute(lambda o: f"类别{o.code}")
    scale = 1000


class UnitEnrollmentFactory(DjangoModelFactory[UnitEnrollment]):
    """A unit's place in a year: `UnitEnrollmentFactory(unit=…, category=…)` moves it if it
    was enrolled already."""

    class Meta:
        model = UnitEnrollment

    unit = factory.SubFactory(AssessedUnitFactory)
    category = factory.SubFactory(UnitCategoryFactory)
    year = factory.SelfAttribute("category.year")
    staffing = 80

    @classmethod
    def _create(
        cls, model_class: type[UnitEnrollment], *args: object, **kwargs: object
    ) -> UnitEnrollment:
        enrollment, _ = model_class.objects.update_or_create(
            year=kwargs.pop("year"), unit=kwargs.pop("unit"), defaults=kwargs
        )
        return enrollment
