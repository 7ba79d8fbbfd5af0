"""A drain's batch holding an e-mail and a phone event (PostgreSQL): only a batch made of
e-mails alone is one unit of work; a mixed one keeps a unit per e-mail and goes through
in one transaction."""

import json

import pytest

from suivi.channels.inbound import inbound_process_due, inbound_store
from suivi.channels.models import InboundMessage, OutboundEmail
from suivi.channels.phone.models import PhoneCall

from .conftest import CALLER, OUR_LINE

pytestmark = pytest.mark.postgresql

EMAIL = (
    "From: Hélène Durand <helene@example.org>\r\nTo: support@suivi.localhost\r\n"
    "Subject: Facture\r\nMessage-ID: <mixed-1@example.org>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour, ma facture est fausse.\r\n"
)


def test_an_e_mail_and_a_call_in_one_batch_are_both_processed(office, settings, caplog):
    # given an e-mail and the end of a call, stored before any processing
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    inbound_store(channel="email", external_id="mid:mixed-1@example.org", raw=EMAIL.encode())
    event = {"id": "mixed-ev", "type": "call.ended", "call_id": "mixed-call",
             "from": CALLER, "to": OUR_LINE}  # fmt: skip
    inbound_store(channel="phone", external_id="mixed-ev", raw=json.dumps(event).encode())

    # when one drain takes both
    with caplog.at_level("INFO", logger="suivi.channels"):
        assert inbound_process_due() == 2

    # then both went through in one batch, the e-mail with everything it writes late
    assert "one by one" not in caplog.text
    statuses = dict(InboundMessage.objects.values_list("channel", "status"))
    assert statuses == {"email": "done", "phone": "done"}
    assert PhoneCall.objects.filter(call_id="mixed-call").exists()
    assert OutboundEmail.objects.filter(to_address="helene@example.org").count() == 1
