"""Periodic work without cron: packages register tasks with an interval, and the
`suivi clock` process (started by `suivi run`) enqueues each one when it is due.

The tasks themselves run in the ordinary workers, so any number of workers share the
load. Periodic tasks must be idempotent: a second clock, or a restart, may enqueue a
task twice, and that must only cost a little work.
"""

from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PeriodicTask:
    task_path: str  # dotted path of a django-tasks Task, e.g. "suivi.promises.tasks.sweep"
    every_seconds: float

    def enqueue(self) -> None:
        import_string(self.task_path).enqueue()


_registry: dict[str, PeriodicTask] = {}


def register(task_path: str, *, every_seconds: float) -> None:
    """Declare a periodic task; call from an AppConfig.ready(). Registering again
    replaces the interval."""
    if every_seconds <= 0:
        raise ValueError("every_seconds must be positive")
    _registry[task_path] = PeriodicTask(task_path, every_seconds)


def registered() -> list[PeriodicTask]:
    return sorted(_registry.values(), key=lambda task: task.task_path)


class Schedule:
    """Which registered tasks are due at a given monotonic time; the first tick runs all."""

    def __init__(self, tasks: list[PeriodicTask]) -> None:
        self._next = {task.task_path: 0.0 for task in tasks}
        self._tasks = {task.task_path: task for task in tasks}

    def due(self, now: float) -> list[PeriodicTask]:
        ready = [self._tasks[path] for path, at in self._next.items() if at <= now]
        for task in ready:
            self._next[task.task_path] = now + task.every_seconds
        return ready

    def seconds_to_next(self, now: float) -> float:
        return max(0.0, min(self._next.values(), default=60.0) - now)
