"""Background work for channels: thin, idempotent wrappers around services."""

from django_tasks import task


@task()
def process_inbound(*, message_id: int) -> str:
    from .inbound import inbound_process

    return inbound_process(message_id=message_id)


@task()
def retry_due() -> int:
    """Periodic: enqueue inbound messages whose retry is due (see inbound_retry_due)."""
    from .inbound import inbound_retry_due

    return inbound_retry_due()


@task()
def send_email(*, outbound_id: int) -> str:
    from .email.outgoing import send

    return send(outbound_id=outbound_id)


@task()
def send_due() -> int:
    """Periodic: enqueue outgoing e-mails whose (next) attempt is due."""
    from .email.outgoing import send_due as due

    return due()


@task()
def imap_poll() -> int:
    """Periodic: fetch new mail from the configured IMAP mailboxes (none by default)."""
    from .email.imap import poll_all

    return poll_all()


@task()
def process_inbound_due() -> int:
    """Process the messages waiting for their first attempt (see inbound_process_due)."""
    from .inbound import inbound_process_due

    return inbound_process_due()


@task()
def send_pending() -> int:
    """Send the e-mails waiting for their first attempt (see outgoing.send_pending)."""
    from .email.outgoing import send_pending as pending

    return pending()


@task()
def detect_duplicates_of(*, customer_ids: list[int]) -> int:
    """The duplicate detection of the customers created by one batch of inbound
    messages: one task rather than one per customer, a few statements for all of them
    (customers.duplicates_detect_many)."""
    from suivi.customers.services import duplicates_detect_many

    return duplicates_detect_many(customer_ids=customer_ids)
