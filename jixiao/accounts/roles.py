"""The roles of SPEC.md. A user holds exactly one role, which makes the separation of
the three admin duties (三权分立) structural: no account can hold two of them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE = "office", _("绩效办")
    DEPARTMENT = "department", _("数据采集单位")
    UNIT = "unit", _("被考核单位")
    REVIEWER = "reviewer", _("评议人")
    INSPECTOR = "inspector", _("察访核验组")
    SUPERVISION = "supervision", _("督查室")
    LEADER = "leader", _("领导")
    OBSERVER = "observer", _("观察员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# Roles whose login must pass a second factor (TOTP).
TWO_FACTOR_ROLES = frozenset({Role.OFFICE, *ADMIN_ROLES})
