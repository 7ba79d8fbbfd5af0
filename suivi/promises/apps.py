from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

SWEEP_EVERY_SECONDS = 60


class PromisesConfig(AppConfig):
    name = "suivi.promises"
    label = "promises"
    verbose_name = _("Promises")

    def ready(self) -> None:
        from suivi.core import periodic

        from . import handlers

        handlers.subscribe()
        # `suivi clock` (started by `suivi run`) enqueues the sweep; any worker runs it.
        periodic.register("suivi.promises.tasks.sweep", every_seconds=SWEEP_EVERY_SECONDS)
