"""In-app notifications (消息通知)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jixiao.collection.models import Notification
from jixiao.collection.views.common import int_or_none, user_of


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = Notification.objects.filter(recipient=user_of(request))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "collection/notifications.html", {"page": page})


@require_POST
@login_required
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one (then follow its link) or all of the user's notifications read."""
    mine = Notification.objects.filter(recipient=user_of(request), is_read=False)
    pk = int_or_none(request.POST.get("id"))
    if pk is None:
        mine.update(is_read=True)
        return redirect("collection:notifications")
    note = Notification.objects.filter(recipient=user_of(request), pk=pk).first()
    mine.filter(pk=pk).update(is_read=True)
    if note and note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts=None):
        return redirect(note.link)
    return redirect("collection:notifications")
