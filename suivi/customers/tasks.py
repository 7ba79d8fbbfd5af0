"""Background work for customers: thin wrappers around services."""

from django_tasks import task


@task()
def detect_duplicates(*, customer_id: int) -> int:
    from .services import duplicates_detect

    return len(duplicates_detect(customer_id=customer_id))
