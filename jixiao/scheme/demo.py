"""Demo schemes: 2025 (closed, smaller) and 2026 (published), modelled on the articles.

Agencies (DQ 党群类, ZF 政府及法检类) on 100 points: 实绩评估 60 (个性 + 共性) / 定性评价 20
(leaders) / 社会评议 20 (基层评议 10, of which "令行禁止、有呼必应" is 30%, and 作风效能调查
10), after Zhangjiagang and Liwan, plus Liwan's 奖惩激励 bonus-penalty item. Streets (JD)
on 1000 points: key indicators, modernisation and support indicators, social review,
and bonus and deduction items with caps; inside 攻坚克难 each street has its own 30-point
project (个性指标: 东湖 and 西关 their own, the other streets a shared one). Every scoring
method appears at least once.
Deterministic and idempotent: a published or closed scheme is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction
from jixiao.org.demo import STREETS
from jixiao.org.models import AssessmentYear, UnitCategory, UnitEnrollment
from jixiao.scheme import actions
from jixiao.scheme.loading import load_nodes
from jixiao.scheme.models import Scheme, SchemeRevision, SchemeStatus
from jixiao.scheme.tree import NodeData, canonical_params

AGENCY = ("DQ", "ZF")


@dataclass
class D:
    """A demo node: code, name, kind, points by category, children and leaf details."""

    code: str
    name: str
    kind: str
    points: dict[str, Any]
    children: list[D] = field(default_factory=list)
    owner: str | None = None
    method: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    standard: str = ""
    period: str = "annual"
    q: bool = False
    caps: tuple[Any, Any] | None = None
    units: tuple[str, ...] = ()
    description: str = ""


def A(points: Any) -> dict[str, Any]:
    return dict.fromkeys(AGENCY, points)


def J(points: Any) -> dict[str, Any]:
    return {"JD": points}


C, IND, B, E = "common", "individual", "bonus_penalty", "evaluation"


def agency_tree(year: int) -> list[D]:
    new = year >= 2026
    gx = [
        D(
            "SJ101",
            "区委区政府重点工作任务完成率",
            IND,
            A(15 if new else 20),
            owner="FGJ",
            method="completion",
            params={"zero_below": "0.6"},
            period="quarterly",
            standard="按年度目标任务书确定的重点工作计分："
            "得分 = 分值 × 实际完成项数 ÷ 目标任务项数，"
            "最高得满分；完成率低于 60% 不得分。",
        ),
    ]
    if new:
        gx += [
            D(
                "SJ102D",
                "重点工作任务量（编制任务比）",
                IND,
                {"DQ": 10},
                owner="BB",
                method="staffing_task",
                params={"base": "5"},
                standard="综合保障类按每 5 个编制 1 项重点任务确定年度目标任务数（编制数 ÷ 5），"
                "得分 = 分值 × 完成数 ÷ 目标任务数，最高满分。编制越少、完成同样任务得分越高。",
            ),
            D(
                "SJ102Z",
                "重点工作任务量（编制任务比）",
                IND,
                {"ZF": 10},
                owner="BB",
                method="staffing_task",
                params={"base": "3"},
                standard="服务经济类按每 3 个编制 1 项重点任务确定年度目标任务数（编制数 ÷ 3），"
                "得分 = 分值 × 完成数 ÷ 目标任务数，最高满分。",
            ),
        ]
    gx += [
        D(
            "SJ103",
            "上级部门对口考核排名",
            IND,
            A(8 if new else 10),
            owner="TJJ",
            method="rank",
            params={
                "mode": "fixed",
                "points_by_rank": ["8", "7.5", "7", "6.5", "6", "5.5"],
                "floor": "5",
            }
            if new
            else {"mode": "fixed", "points_by_rank": ["10", "9", "8", "7"], "floor": "6"},
            standard="将省、市对口考核结果纳入，按类别内排名综合评分："
            "第 1 名 8 分，第 2 名 7.5 分，"
            "依次递减 0.5 分，第 6 名 5.5 分，其后 5 分。",
        ),
        D(
            "SJ104",
            "年度职能目标绩效进度",
            IND,
            A(7 if new else 10),
            owner="FGJ",
            method="schedule_progress",
            period="quarterly",
            standard="对照季度节点计划考核实际进度：得分 = 分值 × 实际进度 ÷ 计划进度，最高满分。",
        ),
    ]
    gt = [
        D(
            "SJ201",
            "党建工作任务完成率",
            C,
            A(4),
            owner="ZZB",
            method="completion",
            period="half_year",
            standard="按区委组织部下达的党建工作任务清单计算完成率。",
        ),
        D(
            "SJ202",
            "党建工作综合评价",
            C,
            A(2),
            q=True,
            owner="ZZB",
            method="grade",
            standard="按 A、B、C、D 四个等次评价，分别得 100%、80%、60%、40%。",
        ),
        D(
            "SJ203",
            "依法行政",
            C,
            A(3),
            owner="SFJ",
            method="deduction",
            params={"per_occurrence": "1", "floor": "0"},
            standard="行政复议被纠错、行政诉讼败诉每宗扣 1 分，扣完为止。",
        ),
        D(
            "SJ204",
            "预算绩效管理",
            C,
            A(3),
            owner="CZJ",
            method="tiered",
            params={
                "tiers": [
                    {"min": "95", "share": "1"},
                    {"min": "90", "share": "0.9"},
                    {"min": "80", "share": "0.75"},
                    {"min": "60", "share": "0.5"},
                ]
            },
            standard="按财政部门预算绩效评价得分分档：95 分及以上得满分，90 分以上得 90%，"
            "80 分以上得 75%，60 分以上得 50%，60 分以下不得分。",
        ),
        D(
            "SJ205",
            "审计发现问题整改率",
            C,
            A(2),
            owner="SJJ",
            method="completion",
            standard="得分 = 分值 × 已整改问题数 ÷ 审计发现问题数。",
        ),
        D(
            "SJ206",
            "政务公开和信息公开",
            C,
            A(2 if new else 1),
            owner="ZSJ",
            method="direct",
            standard="按政务公开第三方测评结果直接赋分（0—2 分）。",
        ),
        D(
            "SJ207",
            "安全生产隐患整改超期率",
            C,
            {"ZF": 2},
            owner="YJJ",
            method="completion",
            params={"lower_is_better": True},
            period="quarterly",
            standard="超期率不高于目标值（2%）得满分；高于目标值按 目标值 ÷ 实际值 折算。",
        ),
        D(
            "SJ208",
            "意识形态工作责任制落实",
            C,
            {"DQ": 2},
            owner="XCB",
            method="deduction",
            params={"per_occurrence": "0.5"},
            standard="意识形态工作责任制检查发现问题每项扣 0.5 分，扣完为止。",
        ),
        D(
            "SJ209",
            "信访工作",
            C,
            A(2),
            owner="XFJ",
            method="deduction",
            params={"per_occurrence": "0.5", "floor": "0"},
            period="quarterly",
            standard="越级上访、重复信访积案每宗扣 0.5 分，扣完为止。",
        ),
    ]
    if not new:
        gt.append(
            D(
                "SJ210",
                "信息报送",
                C,
                A(1),
                owner="ZZB",
                method="direct",
                standard="按信息采用情况赋分。",
            )
        )
    grassroots = (
        D(
            "SH01",
            "基层评议",
            E,
            A(10),
            children=[
                D(
                    "SH0101",
                    "令行禁止、有呼必应",
                    E,
                    A(3),
                    owner="ZZB",
                    method="evaluation",
                    description="党建引领基层治理：占基层评议机关综合评分的 30%。",
                    standard="由各街道对机关部门响应基层“吹哨”、落实区委区政府部署情况评议，百分制折算。",
                ),
                D(
                    "SH0102",
                    "基层评议机关综合评分",
                    E,
                    A(7),
                    owner="ZZB",
                    method="evaluation",
                    standard="各街道、社区对机关部门服务基层情况综合评议，百分制折算。",
                ),
            ],
        )
        if new
        else D(
            "SH01",
            "基层评议",
            E,
            A(10),
            owner="ZZB",
            method="evaluation",
            standard="各街道、社区对机关部门服务基层情况综合评议，百分制折算。",
        )
    )
    bonus = [
        D(
            "JK01",
            "争先创优",
            B,
            A(0),
            owner="ZZB",
            standard="获国家级表彰加 1 分，省级加 0.5 分，市级加 0.2 分；同一事项按最高级别计。",
        ),
        D(
            "JK02",
            "承担上级对区委区政府的工作考核",
            B,
            A(0),
            owner="FGJ",
            units=("FGJ", "JYJ", "MZJ", "RSJ", "SCJGJ", "STHJ", "WJJ", "ZJJ"),
            standard="上级考核排名全市前三加 0.5 分；排名靠后（后三名）扣 0.5 分，有奖有惩。",
        ),
    ]
    if new:
        bonus.append(
            D(
                "JK03",
                "主动精简机构编制",
                B,
                A(0),
                owner="BB",
                standard="主动精简部门及下属单位机构编制的，每精简 1 名编制加 0.1 分。",
            )
        )
    return [
        D(
            "SJ",
            "实绩评估",
            IND,
            A(60),
            children=[
                D("SJ1", "个性指标", IND, A(40), children=gx),
                D(
                    "SJ2",
                    "共性指标",
                    C,
                    A(20),
                    q=True,
                    description="定量与定性相结合，定量分值不低于 60%（泰兴做法）。",
                    children=gt,
                ),
            ],
        ),
        D(
            "DX",
            "定性评价",
            E,
            A(20),
            children=[
                D(
                    "DX01",
                    "区四套班子领导评价",
                    E,
                    A(16),
                    owner="ZZB",
                    method="evaluation",
                    standard="区委、区人大、区政府、区政协领导对各单位年度工作综合评价，百分制折算。",
                ),
                D(
                    "DX02",
                    "区纪委常委评价",
                    E,
                    A(4),
                    owner="JWJW",
                    method="evaluation",
                    standard="区纪委常委会成员对各单位党风廉政建设和作风建设评价，百分制折算。",
                ),
            ],
        ),
        D(
            "SH",
            "社会评议",
            E,
            A(20),
            children=[
                grassroots,
                D(
                    "SH02",
                    "作风效能调查评议",
                    E,
                    A(10),
                    owner="JWJW",
                    method="evaluation",
                    standard="委托第三方对服务对象开展作风效能问卷调查，百分制折算。",
                ),
            ],
        ),
        D("JK", "奖惩激励", B, A(0), caps=("3", "3"), children=bonus),
    ]


#: Streets with their own 攻坚克难 project (个性指标); the others share one item.
OWN_PROJECTS = ("JD01", "JD02")


def street_projects() -> list[D]:
    """Each street's own 攻坚克难 project (个性指标), 30 points for every street: 东湖街道
    and 西关街道 have their own, the other streets a common project item. Each street's
    applicable items therefore still add up to 攻坚克难's 200 points."""
    others = tuple(code for code, _ in STREETS if code not in OWN_PROJECTS)
    return [
        D(
            "JA205",
            "东湖街道：老旧小区改造",
            IND,
            J(30),
            owner="ZJJ",
            method="completion",
            params={"zero_below": "0.5"},
            period="quarterly",
            units=("JD01",),
            standard="东湖街道个性指标：得分 = 分值 × 已完成改造户数 ÷ 年度改造任务户数，"
            "最高满分；完成率低于 50% 不得分。",
        ),
        D(
            "JA206",
            "西关街道：历史文化街区活化",
            IND,
            J(30),
            owner="SWUJ",
            method="schedule_progress",
            period="quarterly",
            units=("JD02",),
            standard="西关街道个性指标：对照街区活化项目年度节点计划，"
            "得分 = 分值 × 实际完成投资 ÷ 计划投资，最高满分。",
        ),
        D(
            "JA207",
            "年度攻坚项目（其他街道）",
            IND,
            J(30),
            owner="ZZB",
            method="completion",
            period="quarterly",
            units=others,
            standard="未单列个性指标的街道，按区委区政府确定的年度攻坚项目任务书"
            "（区委组织部牵头考核）计分："
            "得分 = 分值 × 完成任务数 ÷ 任务总数，最高满分。",
        ),
    ]


def street_tree(year: int) -> list[D]:
    new = year >= 2026
    economy = [
        D(
            "JA101",
            "固定资产投资同比增幅",
            IND,
            J(50),
            owner="FGJ",
            method="yoy_growth",
            params={"target_growth": "0.08"},
            period="monthly",
            standard="同比增幅达到目标（8%）得满分，低于目标按比例计分，负增长不得分。",
        ),
        D(
            "JA102",
            "重大项目建设绩效进度",
            IND,
            J(50),
            owner="FGJ",
            method="schedule_progress",
            period="monthly",
            standard="对照重大项目年度节点计划：得分 = 分值 × 实际完成投资 ÷ 计划投资，最高满分。",
        ),
        D(
            "JA103",
            "地区税收增值贡献率",
            IND,
            J(50),
            owner="CZJ",
            method="value_added",
            period="quarterly",
            standard="贡献率 = 本街道税收增量 ÷ 各街道正增量之和；增量最大的街道得满分，"
            "其余按增量折算。",
        ),
        D(
            "JA104",
            "营商环境评价",
            IND,
            J(50),
            owner="FGJ",
            method="rank",
            params={"mode": "proportional", "higher_is_better": True},
            standard="按营商环境评价得分折合计分：得分 = 分值 × 本街道得分 ÷ 最高得分。",
        ),
    ]
    if not new:
        economy.append(
            D(
                "JA105",
                "规上工业产值同比增长",
                IND,
                J(50),
                owner="TJJ",
                method="yoy_growth",
                params={"target_growth": "0.06"},
                period="monthly",
                standard="同比增幅达到 6% 得满分，低于目标按比例计分。",
            )
        )
    sorting = D(
        "JA204",
        "生活垃圾分类",
        IND,
        J(50),
        owner="CGJ",
        method="tiered",
        params={
            "tiers": [
                {"min": "90", "share": "1"},
                {"min": "80", "share": "0.8"},
                {"min": "70", "share": "0.6"},
            ]
        },
        period="quarterly",
        standard="按垃圾分类检查考评得分分档：90 分以上满分，80 分以上 80%，70 分以上 60%。",
    )
    if new:
        key = [
            D("JA1", "经济发展", IND, J(200), children=economy),
            D(
                "JA2",
                "攻坚克难",
                IND,
                J(200),
                description="2026 年新设二级指标，突出街道在基层治理中的攻坚任务。",
                children=[
                    D(
                        "JA201",
                        "治理黑臭水体",
                        IND,
                        J(40),
                        owner="SWJ",
                        method="tiered",
                        params={
                            "tiers": [
                                {"min": "100", "share": "1"},
                                {"min": "90", "share": "0.8"},
                                {"min": "80", "share": "0.5"},
                            ]
                        },
                        period="quarterly",
                        standard="按辖区水体水质达标率分档："
                        "100% 满分，90% 以上 80%，80% 以上 50%。",
                    ),
                    D(
                        "JA202",
                        "拆违工作",
                        IND,
                        J(40),
                        owner="CGJ",
                        method="completion",
                        period="quarterly",
                        standard="得分 = 分值 × 拆除违法建设面积 ÷ 年度任务面积，最高满分。",
                    ),
                    D(
                        "JA203",
                        "环境保护综合考评指数",
                        IND,
                        J(40),
                        owner="STHJ",
                        method="rank",
                        params={"mode": "step", "step": "3", "floor": "20"},
                        standard="按考评指数在街道中排名："
                        "第 1 名满分，每低一名减 3 分，最低 20 分。",
                    ),
                    sorting,
                    *street_projects(),
                ],
            ),
        ]
    else:
        key = [
            D("JA1", "经济发展", IND, J(250), children=economy),
            D(
                "JA3",
                "城市管理",
                IND,
                J(150),
                children=[
                    sorting,
                    D(
                        "JA301",
                        "市容环境卫生",
                        IND,
                        J(100),
                        owner="CGJ",
                        method="direct",
                        standard="按市容环境卫生检查结果赋分。",
                    ),
                ],
            ),
        ]
    support = [
        D(
            "JC01",
            "党建引领基层治理",
            C,
            J(40 if new else 50),
            q=True,
            children=[
                D(
                    "JC0101",
                    "党建工作任务完成率",
                    C,
                    J(25 if new else 30),
                    owner="ZZB",
                    method="completion",
                    period="half_year",
                    standard="按区委组织部下达的基层党建任务清单计算完成率。",
                ),
                D(
                    "JC0102",
                    "党建工作综合评价",
                    C,
                    J(15 if new else 20),
                    q=True,
                    owner="ZZB",
                    method="grade",
                    params={"shares": {"A": "1", "B": "0.85", "C": "0.7", "D": "0.5"}},
                    standard="按 A、B、C、D 四个等次评价，分别得 100%、85%、70%、50%。",
                ),
            ],
        ),
    ]
    if new:
        support.append(
            D(
                "JC02",
                "重点工作任务量（编制任务比）",
                C,
                J(30),
                owner="BB",
                method="staffing_task",
                params={"base": "4"},
                standard="按每 4 个编制 1 项重点任务确定目标任务数，"
                "得分 = 分值 × 完成数 ÷ 目标任务数。",
            )
        )
    support.append(
        D(
            "JC03",
            "依法行政",
            C,
            J(30 if new else 50),
            owner="SFJ",
            method="deduction",
            params={"per_occurrence": "5", "floor": "0"},
            standard="行政复议被纠错、行政诉讼败诉每宗扣 5 分，扣完为止。",
        )
    )
    deductions = [
        D(
            "JF01",
            "重大安全事故",
            B,
            J(0),
            owner="YJJ",
            standard="发生较大及以上安全事故每起扣 20 分。",
        ),
        D(
            "JF02",
            "生态环境问题被上级通报",
            B,
            J(0),
            owner="STHJ",
            standard="被中央、省生态环境督察通报每次扣 10 分。",
        ),
    ]
    if new:
        deductions.append(
            D(
                "JF03",
                "被上级督查通报批评",
                B,
                J(0),
                owner="JWJW",
                standard="被市级以上督查通报批评每次扣 5 分。",
            )
        )
    return [
        D("JA", "关键绩效指标", IND, J(400), children=key),
        D(
            "JB",
            "现代化建设指标",
            C,
            J(300),
            children=[
                D(
                    "JB1",
                    "民生保障",
                    C,
                    J(150),
                    children=[
                        D(
                            "JB101",
                            "城镇新增就业完成率",
                            C,
                            J(40),
                            owner="RSJ",
                            method="completion",
                            period="quarterly",
                            standard="得分 = 分值 × 城镇新增就业人数 ÷ 年度目标人数，最高满分。",
                        ),
                        D(
                            "JB102",
                            "养老服务设施建设进度",
                            C,
                            J(40),
                            owner="MZJ",
                            method="schedule_progress",
                            period="quarterly",
                            standard="对照年度建设计划考核养老服务设施建设进度。",
                        ),
                        D(
                            "JB103",
                            "学位供给任务完成率",
                            C,
                            J(35),
                            owner="JYJ",
                            method="completion",
                            standard="得分 = 分值 × 新增学位数 ÷ 任务数，最高满分。",
                        ),
                        D(
                            "JB104",
                            "基层医疗卫生服务",
                            C,
                            J(35),
                            owner="WJJ",
                            method="grade",
                            standard="按 A、B、C、D 四个等次评价。",
                        ),
                    ],
                ),
                D(
                    "JB2",
                    "基层治理",
                    C,
                    J(150),
                    children=[
                        D(
                            "JB201",
                            "扫黑除恶常态化",
                            C,
                            J(40),
                            owner="ZFW",
                            method="grade",
                            standard="按区委政法委考评等次计分。",
                        ),
                        D(
                            "JB202",
                            "信访积案化解",
                            C,
                            J(40),
                            owner="XFJ",
                            method="deduction",
                            params={"per_occurrence": "5", "floor": "0"},
                            period="quarterly",
                            standard="未按期化解的信访积案每宗扣 5 分，扣完为止。",
                        ),
                        D(
                            "JB203",
                            "生产安全事故死亡人数控制",
                            C,
                            J(40),
                            owner="YJJ",
                            method="completion",
                            params={"lower_is_better": True},
                            standard="死亡人数不超过控制目标得满分；"
                            "超过按 控制目标 ÷ 实际人数 折算；"
                            "无死亡得满分。",
                        ),
                        D(
                            "JB204",
                            "市场主体服务",
                            C,
                            J(30),
                            owner="SCJGJ",
                            method="direct",
                            standard="由区市场监管局按服务市场主体工作情况直接赋分（0—30 分）。",
                        ),
                    ],
                ),
            ],
        ),
        D("JC", "保障工作指标", C, J(100), children=support),
        D(
            "JD",
            "社会评议",
            E,
            J(200),
            children=[
                D(
                    "JD01",
                    "服务对象点击评价器评议",
                    E,
                    J(100),
                    owner="ZSJ",
                    method="evaluation",
                    standard="按服务窗口“点击评价器”满意度折算，百分制。",
                ),
                D(
                    "JD02",
                    "群众满意度调查",
                    E,
                    J(100),
                    owner="TJJ",
                    method="evaluation",
                    standard="委托第三方开展群众满意度电话调查，百分制折算。",
                ),
            ],
        ),
        D(
            "JE",
            "加分项目",
            B,
            J(0),
            caps=("30", "0"),
            children=[
                D(
                    "JE01",
                    "上级表彰与经验推广",
                    B,
                    J(0),
                    owner="ZZB",
                    standard="工作经验被中央、省推广分别加 10、5 分。",
                ),
                D(
                    "JE02",
                    "改革创新",
                    B,
                    J(0),
                    owner="FGJ",
                    standard="改革创新成果获市级以上肯定加 5 分。",
                ),
            ],
        ),
        D("JF", "扣分项目", B, J(0), caps=("0", "50"), children=deductions),
    ]


def flatten(tree: list[D]) -> list[NodeData]:
    nodes: list[NodeData] = []

    def visit(items: list[D], parent: str | None, level: int) -> None:
        for order, item in enumerate(items):
            nodes.append(
                NodeData(
                    code=item.code,
                    parent_code=parent,
                    level=level,
                    name=item.name,
                    kind=item.kind,
                    is_qualitative=item.q,
                    description=item.description,
                    standard=item.standard,
                    owner_code=item.owner,
                    period=item.period,
                    method=item.method,
                    params=canonical_params(item.method, item.params),
                    bonus_cap=Decimal(item.caps[0]) if item.caps else None,
                    penalty_cap=Decimal(item.caps[1]) if item.caps else None,
                    sort_order=order,
                    points={k: Decimal(str(v)) for k, v in item.points.items()},
                    unit_codes=tuple(sorted(item.units)),
                )
            )
            visit(item.children, item.code, level + 1)

    visit(tree, None, 1)
    return nodes


def demo_nodes(year: int) -> list[NodeData]:
    return flatten(agency_tree(year) + street_tree(year))


def _ensure_previous_year(year: AssessmentYear, previous: AssessmentYear) -> None:
    """Last year's categories and enrollments mirror this year's (if not set already)."""
    for category in UnitCategory.objects.filter(year=year):
        UnitCategory.objects.get_or_create(
            year=previous,
            code=category.code,
            defaults={
                "name": category.name,
                "scale": category.scale,
                "sort_order": category.sort_order,
            },
        )
    categories = {c.code: c for c in UnitCategory.objects.filter(year=previous)}
    for enrollment in UnitEnrollment.objects.filter(year=year).select_related("category"):
        UnitEnrollment.objects.get_or_create(
            year=previous,
            unit_id=enrollment.unit_id,
            defaults={
                "category": categories[enrollment.category.code],
                "staffing": enrollment.staffing,
            },
        )


def _build(year: AssessmentYear, name: str, based_on: Scheme | None) -> Scheme:
    scheme = Scheme.objects.filter(year=year).first()
    if scheme is None:
        scheme = actions.create_scheme(year, name)
        scheme.based_on = based_on
        scheme.save(update_fields=["based_on"])
    if scheme.status == SchemeStatus.DRAFT:
        actions.replace_tree(scheme, demo_nodes(year.year), reason="示范方案")
        actions.publish_scheme(scheme, scheme.version, accept_warnings=True)
        scheme.refresh_from_db()
    return scheme


def build_demo(district: Any) -> None:
    year: AssessmentYear = district.year
    previous = AssessmentYear.objects.filter(year=year.year - 1).first()
    last = None
    if previous is not None:
        _ensure_previous_year(year, previous)
        last = _build(previous, f"{previous.year} 年度机关绩效考核方案", None)
        if last.status == SchemeStatus.PUBLISHED:
            actions.close_scheme(last, last.version)
    current = _build(year, f"{year.year} 年度机关绩效考核方案", last)
    if not SchemeRevision.objects.filter(scheme=current).exists():
        _demo_revision(current)


def _demo_revision(scheme: Scheme) -> None:
    """One applied revision, so units have a revision notice to read."""
    office = User.objects.filter(role="office").order_by("pk").first()
    if office is None:
        return
    revision = actions.start_revision(
        scheme, "根据区委常委会议决定，明确“治理黑臭水体”的水质监测口径。", office
    )
    nodes = [
        replace(n, standard=n.standard + "水质以区生态环境分局每月监测数据为准。")
        if n.code == "JA201"
        else n
        for n in load_nodes(scheme)
    ]
    actions.replace_tree(scheme, nodes, reason="明确水质监测口径", action=AuditAction.UPDATE)
    actions.apply_revision(revision)
