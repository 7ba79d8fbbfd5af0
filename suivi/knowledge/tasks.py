"""Background work for knowledge: thin wrappers around services."""

from django_tasks import task


@task()
def publish_due() -> int:
    """Registered in KnowledgeConfig.ready: `suivi clock` enqueues it every minute."""
    from .services import publications_due

    return publications_due()
