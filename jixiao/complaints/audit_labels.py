"""How the 群众反映 audit rows read: the triage step, and the message merged into by its
receipt code (never a bare id)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jixiao.audit.render import register


def _act(value: Any, row: Any) -> str:
    from jixiao.complaints.actions import ACTS

    return str(ACTS.get(value, value))


def _receipt(value: Any, row: Any) -> str:
    from jixiao.complaints.models import Complaint

    found = Complaint.objects.filter(pk=value).values_list("receipt", flat=True).first()
    return found or str(value)


register("complaints.complaint", "action", _("操作"), show=_act)
register("complaints.complaint", "merged_into", _("合并到"), show=_receipt)
