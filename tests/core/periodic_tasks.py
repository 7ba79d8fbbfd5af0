"""A task for the periodic-scheduler tests."""

from django_tasks import task

calls: list[str] = []


@task()
def touch() -> None:
    calls.append("touched")
