"""The public 群众反映 window (“办不成事”反映窗口) at /c/: no login, a thank-you page
with a receipt code, and a status lookup by that code.

CSRF protection is off on purpose, as on the rating page: there is no session or login
to ride on; the device cookie and the per-address limits (`intake`) limit abuse.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from jixiao.complaints import hooks, intake
from jixiao.complaints.models import PROBLEM_MAX_LENGTH, RECEIPT_LENGTH, Complaint, ComplaintStatus
from jixiao.core.public_intake import bucket, client_address, count, device_of, remember_device

C = ComplaintStatus


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, f"complaints/public/{template}", context, status=status)


@csrf_exempt
def report(request: HttpRequest) -> HttpResponse:
    device, new_device = device_of(request)
    context: dict[str, object] = {"units": intake.units(), "max_length": PROBLEM_MAX_LENGTH}
    status = 200
    if request.method == "POST":
        form = intake.Form(
            unit=request.POST.get("unit", "")[:20],
            window=request.POST.get("window", "")[:200],
            problem=request.POST.get("problem", "")[: PROBLEM_MAX_LENGTH * 2],
            place_time=request.POST.get("place_time", "")[:400],
            phone=request.POST.get("phone", "")[:40],
        )
        try:
            complaint = intake.receive(
                form, device=device, address=client_address(request), bucket=bucket()
            )
        except intake.ComplaintRefused as refused:
            context.update({"form": form, "errors": refused.errors})
            status = 400
        else:
            response = _page(request, "thanks.html", {"complaint": complaint})
            if new_device:
                remember_device(response, device)
            return response
    else:
        context["form"] = intake.Form(unit=request.GET.get("unit", "")[:20])
    response = _page(request, "report.html", context, status=status)
    if new_device:
        remember_device(response, device)
    return response


def lookup(request: HttpRequest) -> HttpResponse:
    """The citizen's view of their message: its state and the office's answer, never
    the handler's name or the text of other messages."""
    code = "".join(request.GET.get("code", "").split()).upper()[: RECEIPT_LENGTH + 4]
    context: dict[str, object] = {"code": code}
    if code:
        address = client_address(request)
        if (
            address
            and count(f"jx:cmp:look:{address}:{bucket()}") > settings.COMPLAINT_LIMIT_PER_ADDRESS
        ):
            context["error"] = _("查询过于频繁，请稍后再试。")
            return _page(request, "lookup.html", context, status=429)
        complaint = (
            Complaint.objects.select_related("merged_into", "unit").filter(receipt=code).first()
        )
        if complaint is None:
            context["error"] = _("没有找到这个回执码，请核对后再查。")
        else:
            shown = complaint.merged_into if complaint.status == C.MERGED else complaint
            context.update(
                {
                    "complaint": complaint,
                    "shown": shown,
                    "handed_to": hooks.where_handed(shown)
                    if shown and shown.status == C.ACCEPTED
                    else "",
                }
            )
    return _page(request, "lookup.html", context)
