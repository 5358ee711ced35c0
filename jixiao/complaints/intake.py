"""Taking in one 群众反映: clean the fields, apply the per-address limits, store it.

The anti-abuse pieces are shared with the rating page (`core.public_intake`): beyond
COMPLAINT_BURST_PER_ADDRESS messages from one address (or one device) in ten minutes,
or the same text more than COMPLAINT_SAME_TEXT times, a message is quarantined (待甄别)
for the office — kept, never deleted; beyond COMPLAINT_LIMIT_PER_ADDRESS the page asks
the person to wait and nothing is stored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from jixiao.complaints import actions
from jixiao.complaints.models import PROBLEM_MAX_LENGTH, Complaint
from jixiao.core.public_intake import count, digest
from jixiao.core.values import clean_text, strict_int
from jixiao.org.models import Organization

_PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}\d{7,8})$")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－", "0123456789+-")


class ComplaintRefused(Exception):
    """Chinese messages, one per field, keyed by field name ('' for the whole form)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("；".join(errors.values()))


@dataclass(frozen=True)
class Form:
    unit: str = ""
    window: str = ""
    problem: str = ""
    place_time: str = ""
    phone: str = ""


def clean_phone(value: str) -> str:
    """A mainland mobile (11 digits from 13…19) or a landline with its area code; spaces,
    dashes and a +86 prefix are dropped."""
    text = unicodedata.normalize("NFKC", value or "").translate(_FULL_WIDTH)
    text = re.sub(r"[\s\-()（）]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    if text and not _PHONE.match(text):
        raise ValueError(_("请填写正确的手机号码或带区号的固定电话"))
    return text


def units() -> list[Organization]:
    return list(Organization.objects.assessed_units().order_by("sort_order", "code"))


def _clean(form: Form) -> tuple[Organization | None, dict[str, str], dict[str, str]]:
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name, limit in (("window", 100), ("problem", PROBLEM_MAX_LENGTH), ("place_time", 200)):
        try:
            values[name] = clean_text(getattr(form, name), max_length=limit)
        except ValueError as error:
            errors[name] = str(error)
    if "problem" not in errors and len(values.get("problem", "")) < 5:
        errors["problem"] = _("请写明没有办成的事（至少 5 个字）")
    try:
        values["phone"] = clean_phone(form.phone)
    except ValueError as error:
        errors["phone"] = str(error)
    unit = None
    if form.unit.strip():
        pk = strict_int(form.unit)
        unit = Organization.objects.assessed_units().filter(pk=pk).first() if pk else None
        if unit is None:
            errors["unit"] = _("请从列表中选择单位")
    return unit, values, errors


def receive(form: Form, *, device: str, address: str | None, bucket: int) -> Complaint:
    unit, values, errors = _clean(form)
    if errors:
        raise ComplaintRefused(errors)
    seen = count(f"jx:cmp:addr:{address}:{bucket}") if address else 0
    if seen > settings.COMPLAINT_LIMIT_PER_ADDRESS:
        raise ComplaintRefused({"": _("提交过于频繁，请稍后再试。")})
    reason = ""
    if seen > settings.COMPLAINT_BURST_PER_ADDRESS:
        reason = _("同一地址短时间内提交过多")
    elif count(f"jx:cmp:dev:{device}:{bucket}") > settings.COMPLAINT_BURST_PER_ADDRESS:
        reason = _("同一设备短时间内提交过多")
    elif count(f"jx:cmp:txt:{digest(values['problem'])}:{bucket}") > settings.COMPLAINT_SAME_TEXT:
        reason = _("相同内容短时间内重复提交")
    return actions.submit_complaint(
        unit=unit,
        window=values["window"],
        problem=values["problem"],
        place_time=values["place_time"],
        phone=values["phone"],
        device=device[:32],
        address=address,
        quarantine_reason=reason,
    )
