from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "suivi.core"
    label = "core"

    def ready(self) -> None:
        from . import periodic, runtime

        runtime.tune_statement_cache()

        # Only the database backend keeps results to prune.
        if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
            periodic.register("suivi.core.tasks.prune_task_results", every_seconds=3600)
