from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "suivi.scheduling"
    label = "scheduling"
    verbose_name = _("Appointments, visits and assets")

    def ready(self) -> None:
        from suivi.conversations import events
        from suivi.core import periodic

        from .assets import on_interaction_recorded

        events.interaction_recorded.subscribe(on_interaction_recorded)
        # Reminders go out from the workers; `suivi clock` enqueues the sweep.
        periodic.register("suivi.scheduling.tasks.send_appointment_reminders", every_seconds=300)
