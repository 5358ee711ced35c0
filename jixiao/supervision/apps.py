from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "jixiao.supervision"
    label = "supervision"
    verbose_name = _("督查督办")

    def ready(self) -> None:
        # Subscribe to the scheme copy (scheme never imports this app).
        from jixiao.scheme import hooks
        from jixiao.supervision import carry

        hooks.scheme_copied.append(carry.on_scheme_copied)
