import pytest
from django.db import transaction

from suivi.channels.email.parsing import external_id
from suivi.channels.inbound import inbound_store
from suivi.channels.models import InboundMessage


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Store raw bytes as an SMTP delivery would, and run the processing that the commit
    enqueues (the test task backend runs tasks at once)."""

    def _deliver(raw: bytes | str, *, rcpt_tos: list[str] | None = None) -> InboundMessage:
        data = raw.encode() if isinstance(raw, str) else raw
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            message, _created = inbound_store(
                channel="email",
                external_id=external_id(data),
                raw=data,
                source="test",
                envelope={"rcpt_tos": rcpt_tos or ["support@suivi.localhost"]},
            )
        message.refresh_from_db()
        return message

    return _deliver
