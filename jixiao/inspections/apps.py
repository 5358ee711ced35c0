from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "jixiao.inspections"
    label = "inspections"
    verbose_name = _("检查计划登记")
