from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "jixiao.scoring"
    label = "scoring"
    verbose_name = _("计分与结果")
