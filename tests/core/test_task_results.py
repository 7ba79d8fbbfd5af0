from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from suivi.core.tasks import task_results_prune

pytestmark = pytest.mark.django_db


def result(status: str, finished_days_ago: float | None) -> DBTaskResult:
    now = timezone.now()
    finished = now - timedelta(days=finished_days_ago) if finished_days_ago is not None else None
    return DBTaskResult.objects.create(
        status=status,
        finished_at=finished,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="suivi.customers.tasks.detect_duplicates",
        backend_name="default",
        run_after=now,
        exception_class_path="",
        traceback="",
    )


def test_prune_deletes_only_old_finished_results():
    # given
    old_ok = result(TaskResultStatus.SUCCESSFUL, 10)
    old_failed = result(TaskResultStatus.FAILED, 10)
    recent = result(TaskResultStatus.SUCCESSFUL, 1)
    waiting = result(TaskResultStatus.READY, None)

    # when
    deleted = task_results_prune(older_than=timedelta(days=7))

    # then
    assert deleted == 2
    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, waiting.pk}
    assert old_ok.pk not in remaining and old_failed.pk not in remaining
