from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
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


def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: the app is up and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
