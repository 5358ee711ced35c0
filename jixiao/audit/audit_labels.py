"""How the audit app's own rows read (keys that are not model fields); see render.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixiao.audit.render import register

register("org.assessmentyear", "archive_sha256", _("归档文件校验值"))
register("audit.yeararchive", "file", _("文件名"))
