"""Background work for promises: thin wrappers around services."""

from dataclasses import asdict

from django_tasks import task


@task()
def sweep() -> dict[str, int]:
    """The periodic sweep (registered in PromisesConfig.ready, every minute)."""
    from .services import promises_sweep

    return asdict(promises_sweep())
