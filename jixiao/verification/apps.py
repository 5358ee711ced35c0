from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "jixiao.verification"
    label = "verification"
    verbose_name = _("察访核验")

    def ready(self) -> None:
        # Subscribe to collection's hooks (collection never imports this app).
        from jixiao.collection import hooks
        from jixiao.verification import flags

        hooks.entries_saved.append(flags.flag_entries)
        hooks.approval_blockers.append(flags.unacknowledged)
        hooks.entry_notes.append(flags.notes_for)
