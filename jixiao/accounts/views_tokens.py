"""Service tokens (system admin): issue — the key is shown once, on the answer to the
POST, never stored or shown again — list with last use, revoke with a reason."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jixiao.accounts.models import ServiceToken, User
from jixiao.accounts.roles import Role
from jixiao.accounts.service_tokens import MAX_DAYS, TOKEN_ROLES, issue_token, revoke_token
from jixiao.core.forms import StyledForm
from jixiao.core.permissions import role_required
from jixiao.core.values import strict_int, validate_text
from jixiao.org.models import Organization


class TokenForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("令牌名称"), max_length=60)
    role = forms.ChoiceField(
        label=gettext_lazy("角色"),
        choices=[(r.value, r.label) for r in Role if r in TOKEN_ROLES],
    )
    organization = forms.ModelChoiceField(
        label=gettext_lazy("所属单位"),
        queryset=Organization.objects.filter(is_active=True).order_by("sort_order", "code"),
    )
    days = forms.IntegerField(
        label=gettext_lazy("有效天数"), min_value=1, max_value=MAX_DAYS, initial=90
    )
    purpose = forms.CharField(
        label=gettext_lazy("用途说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_text],
    )


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@never_cache
@role_required(Role.SYSTEM_ADMIN)
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    key = None
    issued = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            issued, key = issue_token(
                _actor(request),
                name=d["name"],
                role=d["role"],
                organization=d["organization"],
                days=d["days"],
                purpose=d["purpose"],
            )
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            form = TokenForm()
    tokens = ServiceToken.objects.select_related("account__organization", "issued_by")
    page = Paginator(tokens, 50).get_page(strict_int(request.GET.get("page")) or 1)
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "page": page, "key": key, "issued": issued},
    )


@role_required(Role.SYSTEM_ADMIN)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ServiceToken, pk=pk)
    try:
        revoke_token(_actor(request), token, request.POST.get("reason", ""))
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("服务令牌“%(name)s”已吊销。") % {"name": token.name})
    return redirect("accounts:token_list")
