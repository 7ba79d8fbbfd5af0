"""Two workers on two events of the same new call, at the same moment (PostgreSQL)."""

import json
import threading

import pytest
from django.db import connection

from suivi.channels.inbound import inbound_process
from suivi.channels.models import InboundMessage
from suivi.channels.phone.models import PhoneCall
from suivi.conversations.models import Interaction
from suivi.core import clock
from suivi.customers.models import Identity
from suivi.scheduling.models import Callback

from .conftest import OUR_LINE, WEDNESDAY_10AM

STRANGER = "+33698765432"


def _stored(event_id: str, type_: str) -> InboundMessage:
    body = json.dumps(
        {"id": event_id, "type": type_, "call_id": "race-1", "from": STRANGER, "to": OUR_LINE}
    ).encode()
    # Stored without enqueueing: the test plays the two workers itself.
    return InboundMessage.objects.create(
        channel="phone",
        external_id=event_id,
        raw=body,
        size=len(body),
        received_at=clock.now(),
    )


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_events_of_one_call_at_once_make_one_call_one_customer_one_callback(office, now):
    # given the voicemail and the hang-up of a call from a stranger, stored
    messages = [_stored("race-vm", "call.voicemail"), _stored("race-end", "call.ended")]
    barrier = threading.Barrier(len(messages))
    results: list[str] = []

    def worker(message: InboundMessage) -> None:
        with clock.frozen_at(WEDNESDAY_10AM):
            try:
                barrier.wait()
                results.append(inbound_process(message_id=message.pk))
            finally:
                connection.close()

    # when two workers process them at the same moment
    threads = [threading.Thread(target=worker, args=(m,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then both are done, and there is one of everything
    assert sorted(results) == ["call_ended", "call_voicemail"]
    statuses = set(InboundMessage.objects.values_list("status", flat=True))
    assert statuses == {InboundMessage.Status.DONE}
    call = PhoneCall.objects.get()
    assert call.outcome == "voicemail"
    assert Identity.objects.filter(kind="phone", value=STRANGER).count() == 1
    assert Callback.objects.count() == 1
    assert call.callback_id == Callback.objects.get().pk
    assert Interaction.objects.filter(channel="phone").count() == 1
