from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The clock enqueues the publication sweep this often; a window is honoured within it.
PUBLISH_EVERY_SECONDS = 60


class KnowledgeConfig(AppConfig):
    name = "suivi.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self) -> None:
        from suivi.core import periodic

        from . import windows

        # A malformed SUIVI_KNOWLEDGE_WINDOWS stops the start-up, not the first schedule.
        windows.configured_windows()

        # `suivi clock` enqueues it; any worker runs it; running it twice is harmless.
        periodic.register("suivi.knowledge.tasks.publish_due", every_seconds=PUBLISH_EVERY_SECONDS)
