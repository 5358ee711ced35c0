from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "jixiao.evaluation"
    label = "evaluation"
    verbose_name = _("评议")

    def ready(self) -> None:
        from jixiao.collection import hooks
        from jixiao.evaluation.qualitative import check_submission

        hooks.on_submit(check_submission)
