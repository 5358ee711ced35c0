from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jixiao.core.home import panels_for
from jixiao.org.models import AssessmentYear


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/home.html",
        {"panels": panels_for(request), "year": AssessmentYear.current()},
    )
