"""Every write of the evaluation app: one transaction each, its audit rows inside it.

Casting a ballot is the one write whose audit row must say less than it could: it
records that the reviewer cast a ballot, never the ballot's id or its scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction
from jixiao.audit.records import build_event, record, record_create, record_many, snapshot
from jixiao.core.concurrency import EditConflict, save_versioned
from jixiao.core.excel import parse_decimal
from jixiao.evaluation import distribution
from jixiao.evaluation.models import (
    Ballot,
    BallotScore,
    DistributionPolicy,
    GroupWeight,
    Reviewer,
    ReviewerGroup,
    Round,
    RoundIndicator,
    RoundStatus,
    ScoringMode,
    SubItem,
    new_ballot_code,
)
from jixiao.evaluation.scope import Layout, layout_for
from jixiao.org.models import Organization, UnitCategory
from jixiao.scheme.models import Indicator, IndicatorKind

ROUND_FIELDS = [
    "name",
    "source",
    "period_id",
    "mode",
    "grade_points",
    "trim",
    "min_ballots",
    "exclude_collecting",
    "policy",
    "high_share",
    "low_share",
    "forbid_full",
]


class RoundError(Exception):
    """A refused change to a round; the message is Chinese and says what to do."""


# Setting up a round -----------------------------------------------------------------


@transaction.atomic
def create_round(round_: Round, actor: User | None = None) -> Round:
    round_.created_by = actor
    round_.save()
    record_create(round_)
    return round_


@transaction.atomic
def update_round(round_: Round, expected_version: int, before: dict[str, Any]) -> None:
    _editable(round_)
    save_versioned(round_, expected_version, ROUND_FIELDS)
    record(AuditAction.UPDATE, round_, before=before, after=snapshot(round_, before.keys()))


def _editable(round_: Round) -> None:
    if round_.status != RoundStatus.DRAFT:
        raise RoundError(_("评议已开始，轮次设置不能再修改。"))


@transaction.atomic
def add_indicator(round_: Round, indicator: Indicator) -> RoundIndicator:
    _editable(round_)
    if indicator.scheme_id != round_.scheme_id or indicator.kind != IndicatorKind.EVALUATION:
        raise RoundError(_("只能选择本年度方案中的评议指标。"))
    if indicator.children.exists() or indicator.method != "evaluation":
        raise RoundError(_("请选择计分方法为“评议”的末级评议指标。"))
    if RoundIndicator.objects.filter(indicator=indicator).exists():
        raise RoundError(_("指标“%(i)s”已由其他评议轮次计分。") % {"i": indicator.name})
    ri = RoundIndicator.objects.create(round=round_, indicator=indicator)
    record_create(ri)
    return ri


@transaction.atomic
def add_group(
    round_: Round,
    name: str,
    categories: Iterable[UnitCategory],
    units: Iterable[Organization] = (),
) -> ReviewerGroup:
    _editable(round_)
    if round_.groups.filter(name=name).exists():
        raise RoundError(_("评议组“%(n)s”已存在。") % {"n": name})
    group = ReviewerGroup.objects.create(round=round_, name=name, sort_order=round_.groups.count())
    group.categories.set(list(categories))
    group.units.set(list(units))
    record_create(group)
    return group


@transaction.atomic
def set_weights(round_indicator: RoundIndicator, weights: Mapping[ReviewerGroup, Decimal]) -> None:
    """The groups' weights on one indicator; they must add up to 100%."""
    _editable(round_indicator.round)
    total = sum(weights.values(), Decimal(0))
    if total != 100:
        raise RoundError(
            _("“%(i)s”各评议组权重合计 %(t)s%%，应为 100%%。")
            % {"i": round_indicator.indicator.name, "t": f"{total.normalize():f}"}
        )
    before = {w.group.name: w.weight for w in round_indicator.weights.select_related("group")}
    round_indicator.weights.all().delete()
    GroupWeight.objects.bulk_create(
        GroupWeight(round_indicator=round_indicator, group=g, weight=w) for g, w in weights.items()
    )
    record(
        AuditAction.UPDATE,
        round_indicator,
        before={"weights": before},
        after={"weights": {g.name: w for g, w in weights.items()}},
    )


@transaction.atomic
def set_items(round_indicator: RoundIndicator, items: Sequence[tuple[str, Decimal]]) -> None:
    """Sub-items of an indicator with their weights (adding up to 100%), or none."""
    _editable(round_indicator.round)
    total = sum((w for _, w in items), Decimal(0))
    if items and total != 100:
        raise RoundError(
            _("“%(i)s”各子项权重合计 %(t)s%%，应为 100%%。")
            % {"i": round_indicator.indicator.name, "t": f"{total.normalize():f}"}
        )
    before = list(round_indicator.items.values_list("name", "weight"))
    round_indicator.items.all().delete()
    SubItem.objects.bulk_create(
        SubItem(round_indicator=round_indicator, name=n, weight=w, sort_order=i)
        for i, (n, w) in enumerate(items)
    )
    record(AuditAction.UPDATE, round_indicator, before={"items": before}, after={"items": items})


@transaction.atomic
def add_reviewer_accounts(
    round_: Round, group: ReviewerGroup, users: Iterable[User]
) -> list[Reviewer]:
    created = []
    for user in users:
        reviewer, new = Reviewer.objects.get_or_create(
            round=round_, user=user, defaults={"group": group, "organization": user.organization}
        )
        if new:
            created.append(reviewer)
    record_many([build_event(AuditAction.CREATE, r, after={"group": group.name}) for r in created])
    return created


@transaction.atomic
def issue_codes(
    round_: Round, group: ReviewerGroup, count: int, organization: Organization | None = None
) -> list[Reviewer]:
    """One-time ballot codes for people without an account (printed as slips)."""
    if not 1 <= count <= 2000:
        raise RoundError(_("一次可生成 1 至 2000 个评议码。"))
    existing = set(Reviewer.objects.with_codes().values_list("code", flat=True))
    start = round_.reviewers.filter(group=group, code__isnull=False).count()
    reviewers = []
    for i in range(count):
        code = new_ballot_code()
        while code in existing:
            code = new_ballot_code()
        existing.add(code)
        reviewers.append(
            Reviewer(
                round=round_,
                group=group,
                organization=organization,
                code=code,
                label=f"{group.name} {start + i + 1:03d}",
            )
        )
    Reviewer.objects.bulk_create(reviewers)
    record(
        AuditAction.CREATE,
        round_,
        after={"ballot_codes": count, "group": group.name},
        reason=_("生成评议码"),
    )
    return reviewers


# The round's life -------------------------------------------------------------------


def setup_problems(round_: Round) -> list[str]:
    """What stops a round from opening: missing indicators, groups, weights ≠ 100%."""
    problems = []
    indicators = list(round_.indicators.select_related("indicator").prefetch_related("items"))
    if not indicators:
        problems.append(_("还没有选择评议指标。"))
    if round_.is_satisfaction:
        return problems  # no groups: every counted rating weighs the same
    if not round_.groups.exists():
        problems.append(_("还没有评议组。"))
    for ri in indicators:
        total = sum((w.weight for w in ri.weights.all()), Decimal(0))
        if total != 100:
            problems.append(
                _("“%(i)s”各评议组权重合计 %(t)s%%，应为 100%%。")
                % {"i": ri.indicator.name, "t": f"{total.normalize():f}"}
            )
        items = list(ri.items.all())
        if items and sum((s.weight for s in items), Decimal(0)) != 100:
            problems.append(_("“%(i)s”各子项权重合计应为 100%%。") % {"i": ri.indicator.name})
    return problems


def _transition(round_: Round, to: str, reason: str = "", **fields: Any) -> None:
    before = round_.status
    round_.status = to
    for name, value in fields.items():
        setattr(round_, name, value)
    try:
        save_versioned(round_, round_.version, ["status", *fields])
    except EditConflict as conflict:
        raise RoundError(str(conflict)) from conflict
    record(
        AuditAction.TRANSITION,
        round_,
        before={"status": before},
        after={"status": to, **fields},
        reason=reason,
    )


@transaction.atomic
def open_round(round_: Round) -> None:
    if round_.status != RoundStatus.DRAFT:
        raise RoundError(_("只有准备中的轮次可以开始评议。"))
    problems = setup_problems(round_)
    if problems:
        raise RoundError(" ".join(problems))
    _transition(round_, RoundStatus.OPEN)


def turnout(round_: Round) -> list[dict[str, Any]]:
    """Per group: reviewers, ballots cast, and whether that is too few."""
    rows = []
    for group in round_.groups.all():
        reviewers = group.reviewers.count()
        cast = group.ballots.count()
        rows.append(
            {
                "group": group,
                "reviewers": reviewers,
                "cast": cast,
                "too_few": cast < round_.min_ballots,
            }
        )
    return rows


def ballot_warnings(round_: Round) -> list[str]:
    return [
        _("“%(g)s”只收到 %(n)s 张有效票，少于 %(m)s 张。")
        % {"g": row["group"].name, "n": row["cast"], "m": round_.min_ballots}
        for row in turnout(round_)
        if row["too_few"]
    ]


@transaction.atomic
def close_round(round_: Round, acknowledge: bool = False) -> None:
    if round_.status != RoundStatus.OPEN:
        raise RoundError(_("只有评议中的轮次可以结束。"))
    warnings = ballot_warnings(round_)
    if warnings and not acknowledge:
        raise RoundError(" ".join(warnings) + _(" 请确认票数不足后再结束评议。"))
    _transition(
        round_,
        RoundStatus.CLOSED,
        reason="；".join(warnings),
        warnings_acknowledged=bool(warnings),
    )


@transaction.atomic
def reopen_round(round_: Round, reason: str) -> None:
    if round_.status not in (RoundStatus.CLOSED, RoundStatus.PUBLISHED):
        raise RoundError(_("只有已结束或已发布的轮次可以重新开放。"))
    if not reason.strip():
        raise RoundError(_("重新开放评议须填写原因。"))
    _transition(round_, RoundStatus.OPEN, reason=reason.strip(), reopen_reason=reason.strip())


@transaction.atomic
def publish_round(round_: Round) -> int:
    """Write the round's ratings as the indicators' entries; returns how many."""
    from jixiao.evaluation.results import write_entries

    if round_.status != RoundStatus.CLOSED:
        raise RoundError(_("请先结束评议，再发布结果。"))
    written = write_entries(round_)
    _transition(round_, RoundStatus.PUBLISHED, published_at=timezone.now())
    return written


# Ballots ----------------------------------------------------------------------------


class BallotRefused(Exception):
    def __init__(self, problems: list[str], errors: dict[str, str] | None = None) -> None:
        self.problems = problems
        self.errors = errors or {}
        super().__init__(" ".join(problems))


class AlreadyCast(Exception):
    pass


@dataclass
class Parsed:
    values: dict[tuple[str, int], tuple[Decimal, str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    missing: int = 0


def cell_name(column_key: str, unit_pk: int) -> str:
    return f"s-{column_key.replace(':', '-')}-{unit_pk}"


def parse_ballot(round_: Round, layout: Layout, raw: Mapping[str, Any]) -> Parsed:
    """Read the posted cells through the house's one door for numbers."""
    out = Parsed()
    grades = round_.grade_map
    for screen in layout.screens:
        for column in screen.columns:
            for unit in screen.units:
                name = cell_name(column.key, unit.pk)
                text = str(raw.get(name, "") or "").strip()
                if not text:
                    out.missing += 1
                    continue
                if round_.mode == ScoringMode.GRADE:
                    if text not in grades:
                        out.errors[name] = _("请选择等次")
                        continue
                    out.values[(column.key, unit.pk)] = (grades[text], text)
                    continue
                try:
                    number = parse_decimal(text, percent=True)
                except ValueError as error:
                    out.errors[name] = str(error)
                    continue
                if number is None or not 0 <= number <= 100:
                    out.errors[name] = _("分数应在 0 至 100 之间")
                    continue
                out.values[(column.key, unit.pk)] = (number.quantize(Decimal("0.0001")), "")
    return out


def rule_of(round_: Round) -> distribution.Rule:
    return distribution.Rule(
        high_share=round_.high_share, low_share=round_.low_share, forbid_full=round_.forbid_full
    )


def distribution_verdicts(
    round_: Round, layout: Layout, parsed: Parsed
) -> list[distribution.Verdict]:
    if round_.policy == DistributionPolicy.OFF:
        return []
    rule = rule_of(round_)
    verdicts = []
    for screen in layout.screens:
        for column in screen.columns:
            scores = [parsed.values.get((column.key, u.pk), (None, ""))[0] for u in screen.units]
            verdicts.append(
                distribution.check(scores, rule, f"{screen.category.name} · {column.label}")
            )
    return verdicts


@transaction.atomic
def save_draft(reviewer: Reviewer, raw: Mapping[str, Any]) -> None:
    locked = Reviewer.objects.select_for_update(of=("self",)).get(pk=reviewer.pk)
    if locked.cast_at is not None:
        raise AlreadyCast
    if locked.round.status != RoundStatus.OPEN:
        raise RoundError(_("评议未在进行中，不能保存。"))
    names = {
        cell_name(c.key, u.pk)
        for s in layout_for(locked).screens
        for c in s.columns
        for u in s.units
    }
    locked.draft = {k: str(v)[:16] for k, v in raw.items() if k in names and str(v).strip()}
    locked.version += 1
    locked.save(update_fields=["draft", "version"])


@transaction.atomic
def cast_ballot(
    reviewer: Reviewer, raw: Mapping[str, Any], layout: Layout | None = None
) -> list[str]:
    """Store the ballot anonymously and mark the reviewer as having cast it.

    Returns distribution warnings accepted under the warn policy. Raises AlreadyCast
    when the ballot was cast meanwhile (another tab), BallotRefused with what to fix.
    """
    locked = (
        Reviewer.objects.select_for_update(of=("self",))
        .select_related("round", "group", "organization")
        .get(pk=reviewer.pk)
    )
    if locked.cast_at is not None:
        raise AlreadyCast
    round_ = locked.round
    if round_.status != RoundStatus.OPEN:
        raise BallotRefused([_("评议未在进行中，不能提交。")])
    # Callers casting many ballots of one group (the demo) pass its layout once.
    layout = layout or layout_for(locked)
    parsed = parse_ballot(round_, layout, raw)
    problems = []
    if parsed.errors:
        problems.append(_("有 %(n)s 处填写有误，请按提示修改。") % {"n": len(parsed.errors)})
    if parsed.missing:
        problems.append(_("还有 %(n)s 处未评分，请全部评完再提交。") % {"n": parsed.missing})
    if problems:
        raise BallotRefused(problems, parsed.errors)
    broken = [p for v in distribution_verdicts(round_, layout, parsed) for p in v.problems]
    if broken and round_.policy == DistributionPolicy.REFUSE:
        raise BallotRefused(broken)
    ballot = Ballot.objects.create(round=round_, group=locked.group, off_distribution=bool(broken))
    columns = {c.key: c for s in layout.screens for c in s.columns}
    BallotScore.objects.bulk_create(
        BallotScore(
            ballot=ballot,
            round_indicator=columns[key].round_indicator,
            item=columns[key].item,
            unit_id=unit_pk,
            value=value,
            grade=grade,
        )
        for (key, unit_pk), (value, grade) in parsed.values.items()
    )
    locked.cast_at = timezone.now()
    locked.draft = {}
    locked.version += 1
    locked.save(update_fields=["cast_at", "draft", "version"])
    # That it was cast, by whom (the account, or the code's slip): never what or which.
    record(
        AuditAction.TRANSITION,
        locked,
        before={"status": "open"},
        after={"status": "cast"},
        reason=_("提交评议票"),
        object_repr=f"{round_.name} · {locked.group.name}",
    )
    return broken
