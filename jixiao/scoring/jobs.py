"""The scoring app's long jobs (see jixiao.core.jobs): every card of a run as one PDF,
the results workbook, and a recompute of the year. Each runs as the job's owner, whose
access is checked again here: a job is no way around `jixiao.scoring.access`."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from jixiao.core.jobs import JobError, JobOutput, Report, job_kind
from jixiao.core.models import Job
from jixiao.org.models import AssessmentYear
from jixiao.scoring import exports
from jixiao.scoring.access import access_run, can_see_cards
from jixiao.scoring.engine import ScoringError
from jixiao.scoring.models import ScoreRun, UnitResult

CARDS_PDF = "scoring.cards_pdf"
RESULTS_XLSX = "scoring.results_xlsx"
COMPUTE = "scoring.compute"


def _run_for(job: Job) -> ScoreRun:
    try:
        run = access_run(job.owner, int(job.params["run"]))
    except Http404:
        raise JobError(_("该版本不存在或您无权查看。")) from None
    if not can_see_cards(job.owner, run):
        raise JobError(_("该版本不存在或您无权查看。"))
    return run


def batch_results(run: ScoreRun, category_id: int | None = None) -> list[UnitResult]:
    """The cards of a run (or of one category) in the order they are printed."""
    results = UnitResult.objects.filter(run=run).select_related(
        "unit", "run_category__category", "run__year"
    )
    if category_id is not None:
        results = results.filter(run_category__category_id=category_id)
    return list(results.order_by("run_category__category__sort_order", "position"))


@job_kind(CARDS_PDF)
def cards_pdf(job: Job, report: Report) -> JobOutput:
    run = _run_for(job)
    results = batch_results(run, job.params.get("category"))
    if not results:
        raise JobError(_("没有可打印的成绩单。"))
    total = len(results)
    report(1, _("正在生成 %(n)d 份成绩单……") % {"n": total})

    def progress(fraction: float) -> None:
        done = min(total, int(fraction * 2 * total)) if fraction <= 0.5 else total
        step = _("正在汇总第 %(i)d / %(n)d 份") if fraction <= 0.5 else _("正在排版")
        report(int(fraction * 100), step % {"i": done, "n": total})

    data = exports.export_cards_pdf(run, results, progress)
    return JobOutput(
        content=data,
        filename=f"成绩单-{run.year.year}-v{run.number}.pdf",
        message=_("已生成 %(n)d 份成绩单。") % {"n": total},
    )


@job_kind(RESULTS_XLSX)
def results_xlsx(job: Job, report: Report) -> JobOutput:
    run = _run_for(job)
    report(10, _("正在汇总 %(n)d 个单位的成绩……") % {"n": run.unit_count})
    data, filename = exports.export_xlsx(run)
    return JobOutput(content=data, filename=filename, message=_("已导出考核结果。"))


@job_kind(COMPUTE)
def compute(job: Job, report: Report) -> JobOutput:
    from jixiao.scoring.actions import compute_run

    year = AssessmentYear.objects.filter(pk=job.params.get("year")).first()
    if year is None:
        raise JobError(_("考核年度不存在。"))
    report(5, _("正在读取数据并计算……"))
    try:
        run = compute_run(year, user=job.owner, note=job.params.get("note", ""))
    except ScoringError as error:
        raise JobError("；".join(error.problems[:5])) from None
    return JobOutput(
        url=reverse("scoring:run", args=[run.pk]),
        message=_("已完成计算：%(run)s，共 %(n)d 个单位。") % {"run": run, "n": run.unit_count},
    )
