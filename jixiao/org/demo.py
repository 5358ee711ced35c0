"""The demo district (示范区): about 60 assessed units in 3 categories, 25 departments.

Names are typical of a Chinese urban district; the district itself is fictional.
Everything is keyed by code, so building it twice changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from jixiao.org.models import (
    AssessmentYear,
    Organization,
    OrganizationKind,
    UnitCategory,
    UnitEnrollment,
)

DEMO_YEAR = 2026

CATEGORIES = [
    ("DQ", "党群类", 100),
    ("ZF", "政府及法检类", 100),
    ("JD", "街道类", 1000),
]

# (code, name, short name, category code or None, is data-collection department)
AGENCIES = [
    ("QWB", "区委办公室", "区委办", "DQ", False),
    ("JWJW", "区纪委监委机关", "区纪委监委", "DQ", True),
    ("ZZB", "区委组织部", "组织部", "DQ", True),
    ("XCB", "区委宣传部", "宣传部", "DQ", True),
    ("TZB", "区委统战部", "统战部", "DQ", False),
    ("ZFW", "区委政法委", "政法委", "DQ", True),
    ("BB", "区委机构编制委员会办公室", "区委编办", "DQ", True),
    ("XCHB", "区委巡察工作领导小组办公室", "巡察办", "DQ", False),
    ("JGGW", "区直属机关工作委员会", "区直机关工委", "DQ", False),
    ("ZGH", "区总工会", "区总工会", "DQ", False),
    ("TQW", "共青团区委员会", "团区委", "DQ", False),
    ("FL", "区妇女联合会", "区妇联", "DQ", False),
    ("KX", "区科学技术协会", "区科协", "DQ", False),
    ("GSL", "区工商业联合会", "区工商联", "DQ", False),
    ("DAG", "区档案馆", "档案馆", "DQ", False),
    ("ZFB", "区人民政府办公室", "区府办", "ZF", False),
    ("FGJ", "区发展和改革局", "发改局", "ZF", True),
    ("JYJ", "区教育局", "教育局", "ZF", True),
    ("KGXJ", "区科技工业和信息化局", "科工信局", "ZF", False),
    ("MZJ", "区民政局", "民政局", "ZF", True),
    ("SFJ", "区司法局", "司法局", "ZF", True),
    ("CZJ", "区财政局", "财政局", "ZF", True),
    ("RSJ", "区人力资源和社会保障局", "人社局", "ZF", True),
    ("ZRZYJ", "区自然资源局", "自然资源局", "ZF", True),
    ("STHJ", "区生态环境分局", "生态环境分局", "ZF", True),
    ("ZJJ", "区住房和城乡建设局", "住建局", "ZF", True),
    ("JTJ", "区交通运输局", "交通运输局", "ZF", True),
    ("SWJ", "区水务局", "水务局", "ZF", True),
    ("NYJ", "区农业农村局", "农业农村局", "ZF", False),
    ("SWUJ", "区商务局", "商务局", "ZF", True),
    ("WGLTJ", "区文化广电旅游体育局", "文广旅体局", "ZF", False),
    ("WJJ", "区卫生健康局", "卫健局", "ZF", True),
    ("TYJRJ", "区退役军人事务局", "退役军人局", "ZF", False),
    ("YJJ", "区应急管理局", "应急局", "ZF", True),
    ("SJJ", "区审计局", "审计局", "ZF", True),
    ("SCJGJ", "区市场监督管理局", "市场监管局", "ZF", True),
    ("TJJ", "区统计局", "统计局", "ZF", True),
    ("YBJ", "区医疗保障局", "医保局", "ZF", False),
    ("ZSJ", "区政务服务数据管理局", "政数局", "ZF", True),
    ("CGJ", "区城市管理和综合执法局", "城管执法局", "ZF", True),
    ("XFJ", "区信访局", "信访局", "ZF", True),
    ("FY", "区人民法院", "区法院", "ZF", False),
    ("JCY", "区人民检察院", "区检察院", "ZF", False),
    ("GAFJ", "区公安分局", "公安分局", "ZF", False),
    ("SWFJ", "区税务局", "税务局", "ZF", False),
]

STREETS = [
    ("JD01", "东湖街道"),
    ("JD02", "西关街道"),
    ("JD03", "南岸街道"),
    ("JD04", "北园街道"),
    ("JD05", "中山街道"),
    ("JD06", "花城街道"),
    ("JD07", "龙津街道"),
    ("JD08", "金沙街道"),
    ("JD09", "白云街道"),
    ("JD10", "清水街道"),
    ("JD11", "新港街道"),
    ("JD12", "桥头街道"),
    ("JD13", "石门街道"),
    ("JD14", "荔湾街道"),
    ("JD15", "和平街道"),
]

# Organizations that assess nobody and are not assessed, but whose people use Jixiao.
SUPPORT_ORGS = [
    ("JXB", "区绩效考核办公室", "区绩效办", OrganizationKind.OFFICE),
    ("DCS", "区委区政府督查室", "督查室", OrganizationKind.OTHER),
    ("QLD", "区委区政府领导", "区领导", OrganizationKind.OTHER),
    ("CFHY", "察访核验组", "察访核验组", OrganizationKind.OTHER),
    ("TYJCY", "特邀监察员", "特邀监察员", OrganizationKind.OTHER),
    ("GCY", "绩效观察员（人大代表、政协委员、群众代表）", "绩效观察员", OrganizationKind.OTHER),
]


def _staffing(code: str, low: int, high: int) -> int:
    digest = int(hashlib.sha256(code.encode()).hexdigest(), 16)
    return low + digest % (high - low + 1)


@dataclass
class DemoDistrict:
    year: AssessmentYear
    categories: dict[str, UnitCategory]


def build() -> DemoDistrict:
    year, _ = AssessmentYear.objects.update_or_create(
        year=DEMO_YEAR, defaults={"name": f"{DEMO_YEAR} 年度", "is_current": True}
    )
    AssessmentYear.objects.filter(is_current=True).exclude(pk=year.pk).update(is_current=False)
    AssessmentYear.objects.get_or_create(
        year=DEMO_YEAR - 1, defaults={"name": f"{DEMO_YEAR - 1} 年度"}
    )
    categories = {}
    for order, (code, name, scale) in enumerate(CATEGORIES):
        categories[code], _ = UnitCategory.objects.update_or_create(
            year=year, code=code, defaults={"name": name, "scale": scale, "sort_order": order}
        )
    order = 0
    for code, name, short, kind in SUPPORT_ORGS:
        order += 1
        Organization.objects.update_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "kind": kind, "sort_order": order},
        )
    for code, name, short, category, is_department in AGENCIES:
        order += 1
        org, _ = Organization.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "kind": OrganizationKind.AGENCY,
                "is_department": is_department,
                "is_assessed_unit": True,
                "sort_order": order,
            },
        )
        UnitEnrollment.objects.update_or_create(
            year=year,
            unit=org,
            defaults={"category": categories[category], "staffing": _staffing(code, 8, 60)},
        )
    for code, name in STREETS:
        order += 1
        org, _ = Organization.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": name,
                "kind": OrganizationKind.STREET,
                "is_assessed_unit": True,
                "sort_order": order,
            },
        )
        UnitEnrollment.objects.update_or_create(
            year=year,
            unit=org,
            defaults={"category": categories["JD"], "staffing": _staffing(code, 60, 140)},
        )
    return DemoDistrict(year=year, categories=categories)
