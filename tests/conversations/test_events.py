"""Conversations publish events that higher packages (promises, channels) react to."""

import pytest

from suivi.conversations import events
from suivi.conversations import services as conversations
from suivi.core.events import DomainEvent
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    seen: list[tuple[str, dict]] = []
    handlers = []
    for event in (events.case_opened, events.interaction_recorded, events.case_status_changed):

        def handler(_name=event.name, **payload):
            seen.append((_name, payload))

        event.subscribe(handler)
        handlers.append((event, handler))
    yield seen
    for event, handler in handlers:
        event._handlers.remove(handler)


def test_opening_a_case_publishes_case_opened(received, advisor):
    case = builders.case(customer=builders.customer(advisor=advisor))

    assert received == [("case_opened", {"case": case})]


def test_an_inbound_contact_on_a_resolved_case_publishes_the_reopening(received, advisor):
    case = builders.case(customer=builders.customer(advisor=advisor))
    conversations.case_update(case=case, changes={"status": "resolved"})
    received.clear()

    interaction = builders.inbound(case)

    assert ("case_status_changed", {"case": case, "previous": "resolved"}) in received
    assert received[-1] == ("interaction_recorded", {"interaction": interaction, "case": case})


def test_case_update_publishes_only_real_status_changes(received, advisor):
    case = builders.case(customer=builders.customer(advisor=advisor))
    received.clear()

    conversations.case_update(case=case, changes={"summary": "x"})
    conversations.case_update(case=case, changes={"status": "waiting"})

    assert received == [("case_status_changed", {"case": case, "previous": "open"})]


def test_a_failing_handler_rolls_back_its_cause(advisor):
    event = DomainEvent("test")
    customer = builders.customer(advisor=advisor)

    def refuse(**payload):
        raise RuntimeError("no")

    events.case_opened.subscribe(refuse)
    try:
        with pytest.raises(RuntimeError):
            builders.case(customer=customer)
    finally:
        events.case_opened._handlers.remove(refuse)

    assert not customer.cases.exists()
    assert repr(event) == "<DomainEvent test>"


def test_subscribing_twice_registers_once():
    event = DomainEvent("twice")
    calls = []

    def handler(**payload):
        calls.append(payload)

    event.subscribe(handler)
    event.subscribe(handler)
    event.publish(x=1)

    assert calls == [{"x": 1}]
