"""factory_boy factories for the scheme app: a published scheme, indicators and their
points per category. Trees with several levels are easier to read as builders on top of
these (`jixiao.scoring.tests.factories.World`, `jixiao.collection.tests.factories`)."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from jixiao.org.tests.factories import AssessmentYearFactory, UnitCategoryFactory
from jixiao.scheme.models import (
    DataPeriod,
    Indicator,
    IndicatorKind,
    IndicatorPoints,
    Scheme,
    SchemeStatus,
)


class SchemeFactory(DjangoModelFactory[Scheme]):
    """The year's scheme (one per year: asking twice returns the same)."""

    class Meta:
        model = Scheme
        django_get_or_create = ("year",)

    year = factory.SubFactory(AssessmentYearFactory)
    name = factory.LazyAttribute(lambda o: f"{o.year.year} 年度绩效考核方案")
    status = SchemeStatus.PUBLISHED


class IndicatorFactory(DjangoModelFactory[Indicator]):
    """A leaf scored by direct entry unless told otherwise; `owner=None` for a node."""

    class Meta:
        model = Indicator

    scheme = factory.SubFactory(SchemeFactory)
    parent = None
    code = factory.Sequence(lambda n: f"I{n:03d}")
    name = factory.LazyAttribute(lambda o: f"指标{o.code}")
    level = factory.LazyAttribute(lambda o: o.parent.level + 1 if o.parent else 1)
    kind = IndicatorKind.INDIVIDUAL
    period = DataPeriod.QUARTERLY
    method = "direct"
    params = factory.Dict({})


class IndicatorPointsFactory(DjangoModelFactory[IndicatorPoints]):
    class Meta:
        model = IndicatorPoints

    indicator = factory.SubFactory(IndicatorFactory)
    category = factory.SubFactory(UnitCategoryFactory)
    points = Decimal(10)
