from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchemeConfig(AppConfig):
    name = "jixiao.scheme"
    label = "scheme"
    verbose_name = _("考核方案")
