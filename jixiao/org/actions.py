"""Writes to the organization directory. Each is one transaction with its audit rows."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from jixiao.audit.records import record_create, record_update, snapshot
from jixiao.core.concurrency import save_versioned
from jixiao.org.models import AssessmentYear, Organization, UnitCategory, UnitEnrollment

ORG_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "is_department",
    "is_assessed_unit",
    "is_active",
    "sort_order",
    "contact",
    "phone",
)


@transaction.atomic
def create_organization(org: Organization) -> Organization:
    org.save()
    record_create(org)
    return org


@transaction.atomic
def update_organization(
    org: Organization, expected_version: int, before: dict[str, Any], reason: str = ""
) -> None:
    save_versioned(org, expected_version, ORG_FIELDS)
    record_update(org, before, reason=reason)


@transaction.atomic
def create_year(year: AssessmentYear) -> AssessmentYear:
    if year.is_current:
        AssessmentYear.objects.filter(is_current=True).update(is_current=False)
    year.save()
    record_create(year)
    return year


@transaction.atomic
def set_current_year(year: AssessmentYear) -> None:
    previous = AssessmentYear.objects.filter(is_current=True).exclude(pk=year.pk).first()
    AssessmentYear.objects.filter(is_current=True).update(is_current=False)
    year.is_current = True
    year.save(update_fields=["is_current"])
    record_update(
        year, {"is_current": False}, reason=f"当前年度由 {previous} 切换" if previous else ""
    )


@transaction.atomic
def save_category(category: UnitCategory, before: dict[str, Any] | None) -> UnitCategory:
    category.save()
    if before is None:
        record_create(category)
    else:
        record_update(category, before)
    return category


@transaction.atomic
def enroll_unit(
    enrollment: UnitEnrollment, before: dict[str, Any] | None, expected_version: int | None = None
) -> UnitEnrollment:
    if before is None:
        enrollment.save()
        record_create(enrollment)
    else:
        assert expected_version is not None
        save_versioned(enrollment, expected_version, ["category_id", "staffing"])
        record_update(enrollment, before)
    return enrollment


def org_snapshot(org: Organization) -> dict[str, Any]:
    return snapshot(org, ORG_FIELDS)
