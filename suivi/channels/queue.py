"""Tables that are their own work queue: inbound messages, outgoing e-mails.

A new row does not get a task of its own; it wakes a drain task, unless one is already
waiting to start (that one will see every row committed before it starts). A drain
claims rows one by one with a single `UPDATE ... RETURNING` whose row is chosen with
`FOR UPDATE SKIP LOCKED`, so any number of workers drain together and none waits.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from suivi.core.statements import Compiled

logger = logging.getLogger("suivi.channels")
M = TypeVar("M", bound=models.Model)


def task_waiting(task: Any) -> bool:
    """Whether `task` is queued and not started yet. Only the database task backend can
    tell; with any other, the answer is no (and the caller enqueues)."""
    from django_tasks_db.backend import DatabaseBackend

    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    found = _WAITING.first(
        task_path=task.module_path,
        backend_name=backend.alias,
        queue_name=task.queue_name,
        moment=timezone.now(),
    )
    return found is not None


def _waiting(task_path: str, backend_name: str, queue_name: str, moment: datetime) -> Any:
    from django_tasks_db.models import DBTaskResult, TaskResultStatus, get_date_max

    # `DBTaskResult.objects.ready()`, with its moment as a value (it reads the clock).
    return (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        .filter(Q(run_after=get_date_max()) | Q(run_after__lte=moment))
        .filter(task_path=task_path, backend_name=backend_name, queue_name=queue_name)
        .order_by()
        .values_list("pk")[:1]
    )


# The receiver asks it after every message it stores: compiled once.
_WAITING: Compiled[Any] = Compiled(_waiting)


_deferred: ContextVar[dict[str, Any] | None] = ContextVar("deferred_wakes", default=None)


@contextmanager
def wakes_deferred() -> Iterator[None]:
    """Inside, `wake` only notes the drains to wake; each is woken once at the end (a
    drain of inbound messages wakes the sending drain once, not once per message). If
    the worker dies before, the periodic sweeps pick the rows up."""
    token = _deferred.set({})
    try:
        yield
    finally:
        tasks = _deferred.get() or {}
        _deferred.reset(token)
        for task in tasks.values():
            wake(task)


def wake(task: Any) -> None:
    """Make sure `task` (a drain) runs after this moment: enqueue it unless one waits."""
    deferred = _deferred.get()
    if deferred is not None:
        deferred[task.module_path] = task
        return
    try:
        if not task_waiting(task):
            task.enqueue()
    except Exception:
        # The rows are stored: the periodic sweeps pick them up.
        logger.exception("Could not enqueue %s", task.name)


def claim_returning(model: type[M], *, assignments: str, where: str, params: list[Any]) -> M | None:
    """PostgreSQL: `UPDATE <table> SET <assignments> WHERE <where> RETURNING *` as one
    model instance, or None. SQL fragments come from the callers' code, never from
    input; every value is a parameter."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in meta.concrete_fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {where} RETURNING {columns}"  # noqa: S608
    return next(iter(model._default_manager.raw(sql, params)), None)


def next_row(model: type[models.Model], condition: str) -> str:
    """A WHERE clause taking the oldest row matching `condition` nobody else is taking."""
    table = connection.ops.quote_name(model._meta.db_table)
    return (
        f"id = (SELECT id FROM {table} WHERE {condition} "  # noqa: S608
        "ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
    )


def claim_many(
    model: type[M], *, assignments: str, condition: str, params: list[Any], limit: int
) -> list[M]:
    """PostgreSQL: take up to `limit` of the oldest rows matching `condition` that
    nobody else is taking, in one statement; returned in no particular order."""
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in meta.concrete_fields)
    sql = (
        f"UPDATE {table} SET {assignments} WHERE id IN (SELECT id FROM {table} "  # noqa: S608
        f"WHERE {condition} ORDER BY next_attempt_at, id LIMIT %s FOR UPDATE SKIP LOCKED) "
        f"RETURNING {columns}"
    )
    return list(model._default_manager.raw(sql, [*params, limit]))
