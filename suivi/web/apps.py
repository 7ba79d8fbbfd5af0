from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "suivi.web"
    label = "web"

    def ready(self) -> None:
        from .live import handlers

        # Live pushes (docs/live.md): new interactions, assignments, calls, promise alerts.
        handlers.subscribe()
