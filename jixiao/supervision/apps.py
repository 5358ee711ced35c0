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

        # Accepting a 群众反映 message raises a task (complaints never imports this app).
        from jixiao.complaints import hooks as complaint_hooks
        from jixiao.supervision import from_complaints

        complaint_hooks.on_accepted(from_complaints.raise_task)
        if from_complaints.where_handed not in complaint_hooks.handed_to:
            complaint_hooks.handed_to.append(from_complaints.where_handed)
