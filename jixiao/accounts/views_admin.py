"""Account management (system admin: ordinary accounts; security admin: admin accounts)
and security settings (security admin)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from jixiao.accounts import actions, policy
from jixiao.accounts.forms import SecurityPolicyForm, UserForm
from jixiao.accounts.models import SecurityPolicy, User
from jixiao.accounts.roles import Role
from jixiao.accounts.security import locked_usernames
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.audit.records import snapshot
from jixiao.core.concurrency import EditConflict
from jixiao.core.permissions import role_required
from jixiao.core.values import text_problem

# Both admins use these pages, each for the accounts its duty covers (accounts/policy.py):
# the system admin for ordinary accounts, the security admin for the admin accounts.
ACCOUNT_ADMINS = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@role_required(*ACCOUNT_ADMINS)
def user_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    users = (
        policy.managed_users(actor)
        .select_related("organization")
        .order_by("organization__sort_order", "username")
    )
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(last_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(organization__name__icontains=q)
        )
    if role:
        users = users.filter(role=role)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    roles = policy.managed_roles(actor)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "q": q,
            "role": role,
            "roles": [c for c in Role.choices if c[0] in roles],
            "admin_accounts": actor.role == Role.SECURITY_ADMIN,
        },
    )


@role_required(*ACCOUNT_ADMINS)
def user_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = UserForm(request.POST or None, roles=policy.managed_roles(actor))
    if request.method == "POST" and form.is_valid():
        password = actions.generate_initial_password()
        user = actions.create_user(actor, form.save(commit=False), password)
        messages.success(
            request,
            _("已创建账号 %(u)s，初始密码：%(p)s（仅显示一次，首次登录须修改）。")
            % {"u": user.username, "p": password},
        )
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


@role_required(*ACCOUNT_ADMINS)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    user = policy.access_managed_user(actor, pk)
    before = snapshot(user, actions.ACCOUNT_FIELDS)
    form = UserForm(request.POST or None, instance=user, roles=policy.managed_roles(actor))
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        if not reason:
            form.add_error(None, _("请填写变更原因。"))
        elif problem := text_problem(reason):
            form.add_error(None, _("变更原因%(e)s") % {"e": problem})
        elif form.is_valid():
            try:
                actions.update_user(
                    actor,
                    form.save(commit=False),
                    before,
                    form.cleaned_data["version"] or 0,
                    reason,
                )
            except EditConflict as conflict:
                form.add_error(None, str(conflict))
            else:
                messages.success(request, _("账号已更新。"))
                return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "edited": user})


@require_POST
@role_required(*ACCOUNT_ADMINS)
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    user = policy.access_managed_user(actor, pk)
    password = actions.reset_password(actor, user)
    messages.success(
        request,
        _("已重置 %(u)s 的密码，临时密码：%(p)s（仅显示一次）。")
        % {"u": user.username, "p": password},
    )
    return redirect("accounts:user_list")


@role_required(Role.SECURITY_ADMIN)
def security_settings(request: HttpRequest) -> HttpResponse:
    policy = SecurityPolicy.load()
    before = snapshot(policy, SecurityPolicyForm.Meta.fields)
    form = SecurityPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_security_policy(
                form.save(commit=False), form.cleaned_data["version"], before
            )
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("安全策略已保存。"))
            return redirect("accounts:security_settings")
    failures = AuditEvent.objects.filter(
        action__in=[AuditAction.LOGIN_FAILED, AuditAction.LOCKOUT]
    )[:15]
    two_factor_users = (
        User.objects.filter(
            role__in=[Role.OFFICE, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN]
        )
        .select_related("organization")
        .order_by("role", "username")
    )
    confirmed = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    return render(
        request,
        "accounts/security_settings.html",
        {
            "form": form,
            "locked": locked_usernames(),
            "failures": failures,
            "two_factor_users": [(u, u.pk in confirmed) for u in two_factor_users],
        },
    )


@require_POST
@role_required(Role.SECURITY_ADMIN)
def security_unlock(request: HttpRequest) -> HttpResponse:
    username = request.POST.get("username", "")
    actions.unlock_account(_actor(request), username)
    messages.success(request, _("已解除 %(u)s 的锁定。") % {"u": username})
    return redirect("accounts:security_settings")


@require_POST
@role_required(Role.SECURITY_ADMIN)
def security_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    actions.reset_two_factor(_actor(request), user)
    messages.success(request, _("已重置 %(u)s 的双因素认证。") % {"u": user.username})
    return redirect("accounts:security_settings")
