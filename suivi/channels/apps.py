from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "suivi.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from suivi.core import periodic

        from . import live_load

        # Calls in progress and chats held count in the advisors' routing load.
        live_load.register()

        # Messages whose processing failed (or whose enqueue was lost) are retried here.
        periodic.register("suivi.channels.tasks.retry_due", every_seconds=30)
        periodic.register("suivi.channels.tasks.send_due", every_seconds=30)
        periodic.register("suivi.channels.tasks.imap_poll", every_seconds=60)
