from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "jixiao.evaluation"
    label = "evaluation"
    verbose_name = _("评议")

    def ready(self) -> None:
        from jixiao.collection import hooks
        from jixiao.evaluation import marks
        from jixiao.evaluation.qualitative import check_submission
        from jixiao.scheme import hooks as scheme_hooks

        hooks.on_submit(check_submission)
        scheme_hooks.subscribe(scheme_hooks.scheme_copied, marks.on_scheme_copied)
        scheme_hooks.subscribe(scheme_hooks.indicator_notes, marks.scheme_notes)
