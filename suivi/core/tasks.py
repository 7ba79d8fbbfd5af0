"""Housekeeping tasks of the platform itself."""

from datetime import timedelta

from django.conf import settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from suivi.core import clock


def task_results_prune(*, older_than: timedelta) -> int:
    """Delete finished task results older than `older_than`; waiting and running tasks
    are never touched. Every inbound message leaves a few rows: without pruning, the
    table grows forever."""
    cutoff = clock.now() - older_than
    deleted, _per_model = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted


@task()
def prune_task_results() -> int:
    return task_results_prune(older_than=timedelta(days=settings.SUIVI_TASK_RESULTS_KEEP_DAYS))
