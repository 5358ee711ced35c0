"""Comparing any two versions (score runs) of a year, for the office."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jixiao.accounts.roles import Role
from jixiao.core.permissions import role_required
from jixiao.core.values import strict_int
from jixiao.scoring.access import access_run
from jixiao.scoring.models import ScoreRun
from jixiao.scoring.versions import versions
from jixiao.scoring.views_support import run_diff


def _run_param(request: HttpRequest, name: str) -> int | None:
    return strict_int(request.GET.get(name))


@role_required(Role.OFFICE)
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Version `pk` against any other version of its year (?with=<run pk>); by default
    against the version just before it."""
    run = access_run(request.user, pk)
    year_runs = list(ScoreRun.objects.filter(year_id=run.year_id).order_by("-number"))
    other_pk = _run_param(request, "with")
    if other_pk is None:
        other = next((r for r in year_runs if r.number < run.number), None)
    else:
        other = next((r for r in year_runs if r.pk == other_pk), None)
        if other is None:  # another year's run, or none at all
            raise Http404
    old, new = (other, run) if other is None or other.number < run.number else (run, other)
    diff = run_diff(old, new)[:300] if old is not None and other is not None else []
    return render(
        request,
        "scoring/compare.html",
        {
            "run": run,
            "other": other,
            "old": old,
            "new": new,
            "diff": diff,
            "versions": versions(year_runs),
        },
    )
