from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObserversConfig(AppConfig):
    name = "jixiao.observers"
    label = "observers"
    verbose_name = _("绩效观察员")
