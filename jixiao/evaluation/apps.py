from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "jixiao.evaluation"
    label = "evaluation"
    verbose_name = _("评议")

    def ready(self) -> None:
        from jixiao.collection import hooks
        from jixiao.evaluation import marks
        from jixiao.evaluation.qualitative import check_submission, grid_counter
        from jixiao.scheme import hooks as scheme_hooks

        hooks.on_submit(check_submission)
        if grid_counter not in hooks.grid_counters:
            hooks.grid_counters.append(grid_counter)
        scheme_hooks.subscribe(scheme_hooks.scheme_copied, marks.on_scheme_copied)
        scheme_hooks.subscribe(scheme_hooks.indicator_notes, marks.scheme_notes)
