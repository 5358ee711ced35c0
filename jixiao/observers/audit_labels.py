"""How the observers app's audit rows read (keys that are not model fields)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jixiao.audit.render import register
from jixiao.observers.models import ObservationStatus

ASSIGNMENT = "observers.assignment"
PHOTO = "observers.observationphoto"


def _status(value: Any, row: Any) -> str:
    return str(dict(ObservationStatus.choices).get(value, value))


register(ASSIGNMENT, "observer_name", _("观察员"))
register(ASSIGNMENT, "unit_name", _("被考核单位"))
register(ASSIGNMENT, "point_name", _("观测点"))
register("observers.observation", "status", _("状态"), show=_status)
register(PHOTO, "type", _("文件类型"))
register(PHOTO, "size", _("大小（字节）"))
register("org.organization", "what", _("导出内容"))
register("org.organization", "rows", _("条数"))
